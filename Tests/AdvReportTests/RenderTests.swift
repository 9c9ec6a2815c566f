import AdvReport
import Testing

@Suite("text, markdown and CSV reports")
struct RenderTests {
  @Test("the text report is aligned tables with L2 x1000 and '-' where no sample returned an image")
  func text() {
    #expect(render(Fixtures.oneModel, as: .text) == """
      Models
      model  arch   dataset  policy         samples  clean acc
      -----  -----  -------  -------------  -------  ---------
      net    lenet  mnist    deterministic     1000     0.9620

      Attacks
      model  arch   attack  params      clean acc  samples     ASR  L2/px x1000  queries  time s
      -----  -----  ------  ----------  ---------  -------  ------  -----------  -------  ------
      net    lenet  bim     eps=32/255     0.9620      100  0.6400       2.4561     2100     0.3
      net    lenet  bim     eps=0          0.9620      100  0.0000            -    10100     1.0

      bim across eps: ASR / L2 per pixel x1000 (Table X layout)
         eps  dataset      net (lenet)
      ------  -------  ---------------
           0  mnist         0.0000 / -
      32/255  mnist    0.6400 / 2.4561

      """)
  }

  @Test("the markdown report is GitHub tables with numbers right-aligned")
  func markdown() {
    #expect(render(Fixtures.oneModel, as: .markdown) == """
      ### Models

      | model | arch | dataset | policy | samples | clean acc |
      |---|---|---|---|---:|---:|
      | net | lenet | mnist | deterministic | 1000 | 0.9620 |

      ### Attacks

      | model | arch | attack | params | clean acc | samples | ASR | L2/px x1000 | queries | time s |
      |---|---|---|---|---:|---:|---:|---:|---:|---:|
      | net | lenet | bim | eps=32/255 | 0.9620 | 100 | 0.6400 | 2.4561 | 2100 | 0.3 |
      | net | lenet | bim | eps=0 | 0.9620 | 100 | 0.0000 | - | 10100 | 1.0 |

      ### bim across eps: ASR / L2 per pixel x1000 (Table X layout)

      | eps | dataset | net (lenet) |
      |---:|---|---:|
      | 0 | mnist | 0.0000 / - |
      | 32/255 | mnist | 0.6400 / 2.4561 |

      """)
  }

  @Test("the CSV report has one row per attack, a column per parameter, full precision, empty cells for missing values")
  func csv() {
    #expect(render(Fixtures.oneModel, as: .csv) == [
      "model,arch,model_hash,policy,dataset,attack,eps,eps_text,launches,steps,clean_accuracy,samples,asr,l2_per_pixel,l2_per_pixel_x1000,seed,queries,wall_seconds",
      "net,lenet,h-net,deterministic,mnist,bim,0.12549019607843137,32/255,100,100,0.962,100,0.64,0.0024561,2.4561,7,2100,0.310",
      "net,lenet,h-net,deterministic,mnist,bim,0,0,100,100,0.962,100,0.0,,,7,10100,1.000",
    ].map { $0 + "\r\n" }.joined())
  }

  @Test("without attacks the CSV report lists the evaluations")
  func csvModels() {
    var report = Fixtures.oneModel
    report.results = []
    #expect(render(report, as: .csv) == "model,arch,dataset,policy,samples,clean_accuracy,seed\r\nnet,lenet,mnist,deterministic,1000,0.962,7\r\n")
  }

  @Test("CSV fields with a comma or a quote are quoted, quotes doubled")
  func csvQuoting() {
    var report = Fixtures.oneModel
    report.results = [report.results[0]]
    report.results[0].params = ["from": "runs/a,b \"x\""]
    let lines = render(report, as: .csv).components(separatedBy: "\r\n")
    #expect(lines[0].contains(",attack,from,clean_accuracy,"))
    #expect(lines[1] == #"net,lenet,h-net,deterministic,mnist,bim,"runs/a,b ""x""",0.962,100,0.64,0.0024561,2.4561,7,2100,0.310"#)
  }

  @Test("an attack on a model never evaluated, or evaluated under another definition, shows no clean accuracy")
  func cleanAccuracyByHash() {
    var report = Fixtures.oneModel
    report.results[1].modelHash = "h-redefined"
    let lines = render(report, as: .text).split(separator: "\n")
    #expect(lines.contains("net#2  lenet  bim     eps=0               -      100  0.0000            -    10100     1.0"))
  }

  @Test("models the paper reports get its Table I accuracy beside ours")
  func paperColumn() {
    var report = Fixtures.oneModel
    report.models.append(Fixtures.evaluation("bsnL", arch: "bsn-l", accuracy: 0.9871))
    report.results = []
    #expect(render(report, as: .text) == """
      Models
      model  arch   dataset  policy         samples  clean acc  paper (Table I)
      -----  -----  -------  -------------  -------  ---------  ---------------
      net    lenet  mnist    deterministic     1000     0.9620                -
      bsnL   bsn-l  mnist    deterministic     1000     0.9871            0.990

      """)
  }

  @Test("the Table II pivot shows attack settings by model, labelled by the parameters that vary")
  func pivot() {
    let text = render(Fixtures.twoModels, as: .text)
    let blocks = text.components(separatedBy: "\n\n")
    let first = blocks.firstIndex { $0.hasPrefix("ASR (Table II layout)") } ?? 0
    let pivot = blocks[first..<min(first + 2, blocks.count)].joined(separator: "\n\n") + "\n"
    #expect(pivot == """
      ASR (Table II layout)
      dataset  attack             r18    bsnL
      -------  --------------  ------  ------
      mnist    bim eps=32/255  1.0000  0.4200
      mnist    bim eps=8/255   0.5000  0.0200

      Mean L2 per pixel x1000 (Table II layout)
      dataset  attack             r18    bsnL
      -------  --------------  ------  ------
      mnist    bim eps=32/255  3.1000  2.8300
      mnist    bim eps=8/255   0.6100       -

      """)
    // The paper's rows for the same attack and models follow, looked up by architecture, with
    // a note that some of ours ran at another budget.
    #expect(blocks[first + 2] == """
      Paper, Table II(a): ASR (headline settings, full test sets)
      dataset  attack     r18    bsnL
      -------  ------  ------  ------
      mnist    bim     1.0000  0.8306
      note: mnist bim: ours also at eps=8/255, paper at eps=32/255
      """)
    #expect(blocks[first + 3].contains("mnist    bim     2.1667  2.6324"))
  }

  @Test("the pivot appears only when two or more models were attacked")
  func pivotNeedsTwoModels() {
    #expect(!render(Fixtures.oneModel, as: .text).contains("Table II"))
    #expect(!render(Fixtures.oneModel, as: .markdown).contains("Table II"))
    var oneAttacked = Fixtures.twoModels
    oneAttacked.results.removeAll { $0.model == "bsnL" }
    #expect(!render(oneAttacked, as: .text).contains("Table II"))
    #expect(render(Fixtures.twoModels, as: .markdown).contains("""
      ### ASR (Table II layout)

      | dataset | attack | r18 | bsnL |
      |---|---|---:|---:|
      | mnist | bim eps=32/255 | 1.0000 | 0.4200 |
      | mnist | bim eps=8/255 | 0.5000 | 0.0200 |
      """))
  }

  @Test("an attack run once is labelled by its name alone, and data sets group the rows")
  func pivotLabels() {
    var report = Fixtures.twoModels
    report.results = [Fixtures.bim(on: "r18", eps: 0.1, asr: 0.3, l2: 0.001, dataset: "cifar10"),
                      Fixtures.bim(on: "bsnL", eps: 0.1, asr: 0.4, l2: 0.002, dataset: "mnist"),
                      Fixtures.bim(on: "r18", eps: 0.1, asr: 0.5, l2: 0.003, dataset: "mnist")]
    let text = render(report, as: .text)
    #expect(text.contains("""
      ASR (Table II layout)
      dataset  attack     r18    bsnL
      -------  ------  ------  ------
      cifar10  bim     0.3000       -
      mnist    bim     0.5000  0.4000

      """))
  }

  @Test("an empty report says so")
  func empty() {
    let report = Report(version: "0.1.0", script: nil, scriptHash: "")
    #expect(render(report, as: .text) == "no results yet\n")
    #expect(render(report, as: .markdown) == "_no results yet_\n")
    #expect(render(report, as: .csv) == "model,arch,dataset,policy,samples,clean_accuracy,seed\r\n")
  }

  @Test("parameter values print in a short form", arguments: [
    (32.0 / 255, "0.1255"), (8.0 / 255, "0.03137"), (100, "100"), (10.5, "10.5"), (1234.56789, "1234.5679"),
    (1e-5, "1e-05"), (-0.25, "-0.25"), (.nan, "nan"), (-.infinity, "-inf"),
  ] as [(Double, String)])
  func shortNumbers(value: Double, text: String) {
    #expect(ReportValue.number(value).description == text)
  }

  @Test("an eps that is a whole number of 255ths prints as k/255 in reports; other values and keys do not")
  func epsIn255ths() {
    var report = Fixtures.oneModel
    report.results[0].params = ["eps": .number(16.0 / 255), "alpha": .number(51.0 / 255), "c": .number(0.1)]
    report.results[1].params = ["eps": .number(0.1)]
    let text = render(report, as: .text)
    #expect(text.contains("alpha=0.2 c=0.1 eps=16/255"), "\(text)")
    #expect(text.contains("eps=0.1 "), "\(text)")
  }
}
