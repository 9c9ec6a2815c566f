import AdvTensor
import Foundation

/// A first-order optimiser updating a list of parameter tensors in place from their gradients.
public protocol Optimizer {
  var learningRate: Float { get set }
  mutating func step(_ parameters: inout [Tensor], _ gradients: [Tensor])
}

/// SGD with momentum and L2 weight decay, PyTorch's formulation:
/// `g ← g + λw; v ← μv + g; w ← w − η v`.
public struct SGD: Optimizer {
  public var learningRate: Float
  public let momentum: Float
  public let weightDecay: Float
  var velocity: [Tensor] = []

  public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
  }

  public mutating func step(_ parameters: inout [Tensor], _ gradients: [Tensor]) {
    if velocity.isEmpty { velocity = parameters.map { Tensor(zeros: $0.shape) } }
    let lr = learningRate, mu = momentum, wd = weightDecay
    for k in parameters.indices {
      gradients[k].withUnsafeBufferPointer { g in
        velocity[k].withUnsafeMutableBufferPointer { v in
          parameters[k].withUnsafeMutableBufferPointer { w in
            let (count, g, v, w) = (w.count, g.baseAddress!, v.baseAddress!, w.baseAddress!)
            parallelChunks(count, minimum: Tensor.parallelElements) { range in
              for i in range {
                let gi = g[i] + wd * w[i]
                v[i] = mu * v[i] + gi
                w[i] -= lr * v[i]
              }
            }
          }
        }
      }
    }
  }
}

/// Adam (Kingma & Ba 2015) with bias correction and L2 weight decay added to the gradient, as
/// PyTorch's `torch.optim.Adam` (β1 = 0.9, β2 = 0.999, ε = 1e-8).
public struct Adam: Optimizer {
  public var learningRate: Float
  public let beta1: Float = 0.9
  public let beta2: Float = 0.999
  public let epsilon: Float = 1e-8
  public let weightDecay: Float
  var m: [Tensor] = []
  var v: [Tensor] = []
  var t = 0

  public init(learningRate: Float, weightDecay: Float = 0) {
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }

  public mutating func step(_ parameters: inout [Tensor], _ gradients: [Tensor]) {
    if m.isEmpty {
      m = parameters.map { Tensor(zeros: $0.shape) }
      v = parameters.map { Tensor(zeros: $0.shape) }
    }
    t += 1
    let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
    let c1 = 1 - powf(b1, Float(t)), c2 = 1 - powf(b2, Float(t))
    let stepSize = learningRate / c1, c2root = c2.squareRoot()
    for k in parameters.indices {
      gradients[k].withUnsafeBufferPointer { g in
        m[k].withUnsafeMutableBufferPointer { pm in
          v[k].withUnsafeMutableBufferPointer { pv in
            parameters[k].withUnsafeMutableBufferPointer { w in
              let (count, g, pm, pv, w) = (w.count, g.baseAddress!, pm.baseAddress!, pv.baseAddress!, w.baseAddress!)
              parallelChunks(count, minimum: Tensor.parallelElements) { range in
                for i in range {
                  let gi = g[i] + wd * w[i]
                  pm[i] = b1 * pm[i] + (1 - b1) * gi
                  pv[i] = b2 * pv[i] + (1 - b2) * gi * gi
                  w[i] -= stepSize * pm[i] / (pv[i].squareRoot() / c2root + eps)
                }
              }
            }
          }
        }
      }
    }
  }
}
