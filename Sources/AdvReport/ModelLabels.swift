/// How reports tell models apart. A script may define a name twice (later wins), so a name alone
/// does not identify a model: a model is its name and its hash (the cache key or content hash
/// every record carries). Tables key rows and columns by that identity and label it by its name,
/// adding what tells the models of one name apart:
///
/// - the architecture, when each of the name's models has its own: `net (lenet)`, `net (mlp)`;
/// - otherwise its place among them, the first unmarked: `net`, `net#2` (and the architecture
///   after it when those differ in part: `net#2 (mlp)`).
///
/// The models of a name are numbered in the order they first appear in the report's records
/// (evaluations, surrogates, attacks, transfers). A record without a hash (a report written before
/// hashes were kept) is identified by its name alone.
struct ModelIdentity: Hashable {
  var name: String
  var hash: String
}

struct ModelLabels {
  private var labels: [ModelIdentity: String] = [:]

  init(_ report: Report) {
    var order: [ModelIdentity] = []
    var arch: [ModelIdentity: String] = [:]
    func see(_ name: String, _ hash: String, _ architecture: String) {
      let id = ModelIdentity(name: name, hash: hash)
      guard arch[id] == nil else { return }
      arch[id] = architecture
      order.append(id)
    }
    for m in report.models { see(m.name, m.modelHash, m.arch) }
    for s in report.surrogates { see(s.name, s.modelHash, s.arch) }
    for r in report.results { see(r.model, r.modelHash, r.arch) }
    for t in report.transfers {
      see(t.source, t.sourceHash, t.sourceArch)
      for target in t.targets { see(target.model, target.modelHash, target.arch) }
    }
    var byName: [String: [ModelIdentity]] = [:]
    for id in order { byName[id.name, default: []].append(id) }
    for (name, ids) in byName {
      guard ids.count > 1 else {
        labels[ids[0]] = name
        continue
      }
      let archs = ids.map { arch[$0] ?? "" }
      let distinct = Set(archs)
      for (k, id) in ids.enumerated() {
        let a = archs[k]
        if distinct.count == ids.count {
          labels[id] = "\(name) (\(a))"
        } else {
          labels[id] = (k == 0 ? name : "\(name)#\(k + 1)") + (distinct.count > 1 ? " (\(a))" : "")
        }
      }
    }
  }

  /// The label of the model `name` with hash `hash`; the name itself when the report does not
  /// hold it.
  func callAsFunction(_ name: String, hash: String) -> String {
    labels[ModelIdentity(name: name, hash: hash)] ?? name
  }
}
