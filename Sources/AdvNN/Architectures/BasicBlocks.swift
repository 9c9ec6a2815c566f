/// The block layout shared by the ResNets (torchvision's `resnet18` and BinaryNet's
/// `resnet_binary`): stages of two BasicBlocks, each stage after the first starting with
/// stride 2, a 1x1 shortcut (`downsample`) where the shape changes. Parameter names follow
/// PyTorch: `layer{stage}.{block}.conv1`, `.bn1`, `.conv2`, `.bn2`, `.downsample.{0,1}`.
struct BasicBlock {
  let prefix: String
  let inputs: Int
  let width: Int
  let stride: Int
  /// The last block of the last stage (BinaryNet skips its final BN and Hardtanh).
  let isLast: Bool

  var hasShortcut: Bool { stride != 1 || inputs != width }

  /// The blocks of stages with `widths` after a stem of `stem` channels.
  static func layout(widths: [Int], stem: Int, blocksPerStage: Int = 2) -> [BasicBlock] {
    var blocks: [BasicBlock] = []
    var inputs = stem
    for (stage, width) in widths.enumerated() {
      for block in 0..<blocksPerStage {
        blocks.append(BasicBlock(prefix: "layer\(stage + 1).\(block)", inputs: inputs, width: width,
                                 stride: stage > 0 && block == 0 ? 2 : 1,
                                 isLast: stage == widths.count - 1 && block == blocksPerStage - 1))
        inputs = width
      }
    }
    return blocks
  }

  /// Declares the block's convolutions (through `conv`, which knows their initialisation) and
  /// batch norms.
  func declare(_ b: inout ParameterBuilder, conv: (inout ParameterBuilder, String, Int, Int, Int) -> Void) {
    conv(&b, prefix + ".conv1", inputs, width, 3)
    b.batchNorm(prefix + ".bn1", width)
    conv(&b, prefix + ".conv2", width, width, 3)
    b.batchNorm(prefix + ".bn2", width)
    if hasShortcut {
      conv(&b, prefix + ".downsample.0", inputs, width, 1)
      b.batchNorm(prefix + ".downsample.1", width)
    }
  }
}
