import Foundation

/// An 8-bit sRGB colour.
public struct RGB: Hashable, Sendable {
  public var r: UInt8
  public var g: UInt8
  public var b: UInt8

  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

  /// `0xRRGGBB`.
  public init(hex: UInt32) {
    self.init(UInt8((hex >> 16) & 0xff), UInt8((hex >> 8) & 0xff), UInt8(hex & 0xff))
  }

  public static let black = RGB(0, 0, 0)
  public static let white = RGB(255, 255, 255)

  /// `#rrggbb`, as SVG spells a colour.
  public var hex: String {
    let digits = Array("0123456789abcdef")
    return "#" + [r, g, b].map { "\(digits[Int($0 >> 4)])\(digits[Int($0 & 15)])" }.joined()
  }

  /// Relative luminance in [0, 1] (sRGB, ITU-R BT.709 weights on linearised channels): decides
  /// whether marks drawn over this colour should be black or white.
  public var luminance: Double {
    func linear(_ c: UInt8) -> Double {
      let v = Double(c) / 255
      return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
  }

  /// Black or white, whichever reads better on this colour.
  public var contrasting: RGB { luminance > 0.3 ? .black : .white }

  /// This colour moved a fraction `t` in [0, 1] of the way towards `other`.
  public func mixed(with other: RGB, _ t: Double) -> RGB {
    let t = min(max(t, 0), 1)
    func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
    return RGB(mix(r, other.r), mix(g, other.g), mix(b, other.b))
  }
}

/// Colours for figures: the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008),
/// which stays distinguishable under the common colour-vision deficiencies.
public enum Palette {
  public static let orange = RGB(hex: 0xE69F00)
  public static let skyBlue = RGB(hex: 0x56B4E9)
  public static let bluishGreen = RGB(hex: 0x009E73)
  public static let yellow = RGB(hex: 0xF0E442)
  public static let blue = RGB(hex: 0x0072B2)
  public static let vermillion = RGB(hex: 0xD55E00)
  public static let reddishPurple = RGB(hex: 0xCC79A7)
  public static let black = RGB(hex: 0x000000)
  /// Not Okabe–Ito: the paper's colour for PCam in Figure 5, and the ninth class colour.
  public static let grey = RGB(hex: 0x999999)
  /// Not Okabe–Ito: a dark brown, the tenth class colour, darker than vermillion and orange.
  public static let brown = RGB(hex: 0x7A4A12)

  /// Series colours in the order charts hand them out: blue and orange first, as the paper's
  /// Figures 1 and 5 use them, yellow late because it is faint on white.
  public static let series: [RGB] = [blue, orange, bluishGreen, vermillion, reddishPurple, skyBlue, black, yellow]

  /// Ten class colours (scatter plots, decision maps): the eight Okabe–Ito colours and two
  /// extras. Charts pair each with a marker shape, because ten hues cannot all stay apart.
  public static let classes: [RGB] = [blue, orange, bluishGreen, vermillion, reddishPurple, skyBlue, yellow, black, grey, brown]

  /// The colour of series or class `k`, cycling.
  public static func series(_ k: Int) -> RGB { series[k % series.count] }
  public static func classColor(_ k: Int) -> RGB { classes[((k % classes.count) + classes.count) % classes.count] }
}

/// A fill pattern drawn over a bar's or box's colour, so series stay apart in greyscale.
public enum Hatch: Int, CaseIterable, Sendable {
  case none, diagonal, antiDiagonal, horizontal, dots, crossHatch, vertical, diagonalCross

  /// The hatch of series `k`, cycling.
  public static func series(_ k: Int) -> Hatch { allCases[k % allCases.count] }
}

/// The shape of a point marker; every shape is recognisable without its colour.
public enum MarkerShape: Int, CaseIterable, Sendable {
  case circle, square, triangle, diamond, invertedTriangle, plus, cross, star, pentagon, hexagon

  /// The marker of series or class `k`, cycling.
  public static func series(_ k: Int) -> MarkerShape { allCases[((k % allCases.count) + allCases.count) % allCases.count] }

  /// Drawn as strokes rather than filled.
  var isStroked: Bool { self == .plus || self == .cross }
}
