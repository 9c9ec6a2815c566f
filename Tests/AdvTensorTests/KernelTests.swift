import AdvTensor
import AdvTestSupport
import Testing

@Suite("kernels")
struct KernelTests {
  @Test("matmul agrees with a naive triple loop")
  func matmulNaive() {
    let a = randomTensor([5, 7], seed: 1), b = randomTensor([7, 3], seed: 2)
    let c = matmulKernel(a, b)
    var naive = Tensor(zeros: [5, 3])
    for i in 0..<5 { for j in 0..<3 { for k in 0..<7 { naive[flat: i * 3 + j] += a[flat: i * 7 + k] * b[flat: k * 3 + j] } } }
    #expect(relativeError(c, naive) < 1e-5)
  }

  @Test("conv2d agrees with a direct loop")
  func convNaive() {
    let x = randomTensor([2, 2, 5, 5], seed: 3), w = randomTensor([3, 2, 3, 3], seed: 4), b = randomTensor([3], seed: 5)
    let g = ConvGeometry(n: 2, c: 2, h: 5, w: 5, outChannels: 3, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1)
    let y = conv2dForward(x, w, b, g)
    #expect(y.shape == [2, 3, 3, 3])
    var naive = Tensor(zeros: y.shape)
    for n in 0..<2 { for o in 0..<3 { for i in 0..<3 { for j in 0..<3 {
      var s = b[flat: o]
      for c in 0..<2 { for di in 0..<3 { for dj in 0..<3 {
        let r = i * 2 - 1 + di, q = j * 2 - 1 + dj
        if r >= 0 && r < 5 && q >= 0 && q < 5 { s += x[flat: ((n * 2 + c) * 5 + r) * 5 + q] * w[flat: ((o * 2 + c) * 3 + di) * 3 + dj] }
      } } }
      naive[flat: ((n * 3 + o) * 3 + i) * 3 + j] = s
    } } } }
    #expect(relativeError(y, naive) < 1e-5)
  }

  @Test("the input gradient of conv2d agrees with a direct loop, with one input channel and with several",
        arguments: [(1, 6, 5, 1, 2), (1, 4, 3, 2, 1), (3, 5, 3, 2, 1), (6, 16, 5, 1, 0)])
  func convBackwardDataNaive(_ c: Int, _ o: Int, _ k: Int, _ stride: Int, _ pad: Int) {
    let n = 3, h = 11, w = 9
    let g = ConvGeometry(n: n, c: c, h: h, w: w, outChannels: o, kh: k, kw: k,
                         strideH: stride, strideW: stride, padH: pad, padW: pad)
    let dy = randomTensor([n, o, g.outH, g.outW], seed: 6), wt = randomTensor([o, c, k, k], seed: 7)
    let dx = conv2dBackwardData(dy, wt, g)
    #expect(dx.shape == [n, c, h, w])
    // dx[n, c, r, q] = Σ dy[n, o, i, j] · w[o, c, r − i·s + p, q − j·s + p] over the windows covering (r, q).
    var naive = Tensor(zeros: [n, c, h, w])
    for b in 0..<n { for oc in 0..<o { for i in 0..<g.outH { for j in 0..<g.outW {
      let d = dy[flat: ((b * o + oc) * g.outH + i) * g.outW + j]
      for ic in 0..<c { for di in 0..<k { for dj in 0..<k {
        let r = i * stride - pad + di, q = j * stride - pad + dj
        guard r >= 0 && r < h && q >= 0 && q < w else { continue }
        naive[flat: ((b * c + ic) * h + r) * w + q] += d * wt[flat: ((oc * c + ic) * k + di) * k + dj]
      } } }
    } } } }
    #expect(relativeError(dx, naive) < 1e-5)
    // Twice through the cached primitives: the result does not depend on the call.
    #expect(conv2dBackwardData(dy, wt, g).scalars == dx.scalars)
  }

  @Test("broadcasting follows NumPy rules")
  func broadcasting() {
    #expect(broadcastShape([2, 3, 4], [3, 1]) == [2, 3, 4])
    #expect(broadcastShape([2, 3], [4]) == nil)
    let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), b = Tensor([10, 20], shape: [2, 1])
    #expect((a + b).scalars == [11, 12, 13, 24, 25, 26])
  }

  @Test("cross-entropy of uniform logits is log K")
  func crossEntropyUniform() {
    let tape = Tape()
    let loss = crossEntropy(tape.constant(Tensor(zeros: [3, 10])), labels: [0, 5, 9])
    #expect(abs(loss.value.scalar - 2.302585) < 1e-5)
  }
}

@Suite("random streams")
struct RandomTests {
  @Test("Philox4x32-10 matches the Random123 known-answer vectors")
  func knownAnswers() {
    // Random123 kat_vectors: philox4x32 10 rounds.
    var zero = RandomStream(seed: 0, stream: 0)
    #expect([zero.nextUInt32(), zero.nextUInt32(), zero.nextUInt32(), zero.nextUInt32()]
            == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
  }

  @Test("fillUniform gives the stream's draws one by one, for every length, split and SIMD width", arguments: [1, 7, 31, 32, 33, 100_003, 262_147])
  func fillMatchesSequential(_ n: Int) {
    var bulk = RandomStream(seed: 0xABCD_1234_5678, stream: 9)
    var single = bulk
    var filled = [Float](repeating: -1, count: n)
    filled.withUnsafeMutableBufferPointer { bulk.fillUniform($0) }
    let sequential = (0..<n).map { _ in single.uniform() }
    #expect(filled == sequential)
    // The next draw continues after the blocks the fill used (leftovers of the last are dropped).
    var skip = RandomStream(seed: 0xABCD_1234_5678, stream: 9)
    for _ in 0..<(4 * ((n + 3) / 4)) { _ = skip.uniform() }
    #expect(bulk.uniform() == skip.uniform())
  }

  @Test("drawUniforms gives exactly the draws of one uniform() per element, buffered leftovers included",
        arguments: [(0, 1), (1, 7), (3, 32), (2, 33), (1, 100_003)])
  func drawsMatchSequential(_ before: Int, _ n: Int) {
    var bulk = RandomStream(seed: 0x5151, stream: 4)
    var single = bulk
    for _ in 0..<before {
      _ = bulk.uniform()
      _ = single.uniform()
    }
    var drawn = [Float](repeating: -1, count: n)
    drawn.withUnsafeMutableBufferPointer { bulk.drawUniforms(into: $0) }
    #expect(drawn == (0..<n).map { _ in single.uniform() })
    // Both streams stand at the same place afterwards.
    #expect((0..<5).map { _ in bulk.uniform() } == (0..<5).map { _ in single.uniform() })
  }

  @Test("the same seed and stream give the same draws; other streams differ")
  func reproducible() {
    var a = RandomStream(seed: 7, stream: 1), b = RandomStream(seed: 7, stream: 1), c = RandomStream(seed: 7, stream: 2)
    let xa = (0..<10).map { _ in a.nextUInt32() }, xb = (0..<10).map { _ in b.nextUInt32() }
    let xc = (0..<10).map { _ in c.nextUInt32() }
    #expect(xa == xb)
    #expect(xa != xc)
  }

  @Test("uniform, normal and Bernoulli draws have the right moments")
  func moments() {
    var r = RandomStream(seed: 3)
    let n = 20_000
    let u = (0..<n).map { _ in Double(r.uniform()) }
    let z = (0..<n).map { _ in Double(r.normal()) }
    let b = (0..<n).filter { _ in r.bernoulli(0.3) }.count
    #expect(abs(u.reduce(0, +) / Double(n) - 0.5) < 0.01)
    let zm = z.reduce(0, +) / Double(n)
    #expect(abs(zm) < 0.03)
    #expect(abs(z.map { ($0 - zm) * ($0 - zm) }.reduce(0, +) / Double(n) - 1) < 0.05)
    #expect(abs(Double(b) / Double(n) - 0.3) < 0.015)
    #expect(r.permutation(50).sorted() == Array(0..<50))
  }
}
