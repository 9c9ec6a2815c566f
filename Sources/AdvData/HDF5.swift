import CHDF5
import Foundation

/// A minimal reader (and, for tests and exports, writer) of unsigned-byte HDF5 datasets, reading
/// rows lazily by hyperslab so that a 6.8 GB PCam file is never loaded whole.
public final class HDF5Dataset {
  let file: hid_t
  let dataset: hid_t
  let space: hid_t
  public let path: String
  /// Dimensions, leading dimension first (e.g. `[N, 96, 96, 3]`).
  public private(set) var dims: [Int]

  public init(path: String, name: String) throws {
    _ = adv_h5_quiet()  // errors are reported by us, with the path, not printed by the library
    guard FileManager.default.fileExists(atPath: path) else {
      throw DataError.notFound(path: path, hint: "the PCam directory must hold camelyonpatch_level_2_split_{train,test}_{x,y}.h5")
    }
    self.path = path
    file = H5Fopen(path, adv_h5f_acc_rdonly(), adv_h5p_default())
    guard file >= 0 else { throw DataError.unreadable(path: path, reason: "not an HDF5 file, or damaged") }
    dataset = H5Dopen2(file, name, adv_h5p_default())
    guard dataset >= 0 else {
      H5Fclose(file)
      throw DataError.badHeader(path: path, reason: "it has no dataset '\(name)'")
    }
    space = H5Dget_space(dataset)
    // From here on, a failed check releases the three handles through deinit.
    dims = []
    rowSize = 0
    let rank = Int(H5Sget_simple_extent_ndims(space))
    guard (1...32).contains(rank) else {
      throw DataError.badHeader(path: path, reason: "dataset '\(name)' has \(rank) dimensions; expected 1 to 32")
    }
    var d = [hsize_t](repeating: 0, count: rank)
    guard H5Sget_simple_extent_dims(space, &d, nil) == Int32(rank), d.allSatisfy({ $0 <= hsize_t(Int.max) }) else {
      throw DataError.badHeader(path: path, reason: "the dimensions of dataset '\(name)' cannot be read")
    }
    let shape = d.map { Int($0) }
    try Self.checkType(of: dataset, path: path, name: name)
    // The sizes the file claims, checked against the bytes it holds before any is allocated.
    var count = 1
    for n in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: n)
      guard !overflow else { throw DataError.badHeader(path: path, reason: "dataset '\(name)' claims a shape of \(shape), more bytes than any file holds") }
      count = product
    }
    let fileSize = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    let stored = Int(min(H5Dget_storage_size(dataset), hsize_t(max(fileSize, 0))))
    guard count <= stored.multipliedReportingOverflow(by: Self.maximumCompression).partialValue else {
      throw DataError.badHeader(path: path, reason: "dataset '\(name)' claims a shape of \(shape) (\(count) bytes), but the file stores only \(stored) bytes of it")
    }
    // With no records the count is 0 whatever the rest claims; a record must fit too.
    var row = 1
    for n in shape.dropFirst() {
      let (product, overflow) = row.multipliedReportingOverflow(by: n)
      guard !overflow else { throw DataError.badHeader(path: path, reason: "dataset '\(name)' claims records of shape \(Array(shape.dropFirst())), more bytes than any file holds") }
      row = product
    }
    dims = shape
    rowSize = row
  }

  /// Deflate, HDF5's usual filter, compresses at most about 1032:1; a dataset claiming more
  /// bytes than this times what the file stores for it is damaged.
  static let maximumCompression = 1032

  /// Only unsigned bytes are read (`x` and `y` of PCam).
  static func checkType(of dataset: hid_t, path: String, name: String) throws {
    let type = H5Dget_type(dataset)
    guard type >= 0 else { throw DataError.badHeader(path: path, reason: "the type of dataset '\(name)' cannot be read") }
    defer { H5Tclose(type) }
    let size = H5Tget_size(type)
    guard H5Tget_class(type) == H5T_INTEGER, size == 1, H5Tget_sign(type) == H5T_SGN_NONE else {
      throw DataError.badHeader(path: path, reason: "dataset '\(name)' holds values of \(size) bytes that are not unsigned bytes; expected uint8")
    }
  }

  deinit {
    H5Sclose(space)
    H5Dclose(dataset)
    H5Fclose(file)
  }

  /// Bytes of one record (product of the trailing dimensions).
  public private(set) var rowSize: Int

  /// Rows `start..<start+count` as bytes.
  public func readRows(_ start: Int, count: Int) throws -> [UInt8] {
    guard start >= 0, count >= 0, start <= dims[0], count <= dims[0] - start else {
      throw DataError.badHeader(path: path, reason: "rows \(start)..<\(start + count) are outside its \(dims[0]) records")
    }
    var out = [UInt8](repeating: 0, count: count * rowSize)
    var offset = [hsize_t](repeating: 0, count: dims.count)
    offset[0] = hsize_t(start)
    var extent = dims.map { hsize_t($0) }
    extent[0] = hsize_t(count)
    let fileSpace = H5Scopy(space)
    defer { H5Sclose(fileSpace) }
    guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, offset, nil, extent, nil) >= 0 else {
      throw DataError.badHeader(path: path, reason: "rows \(start)..<\(start + count) are outside its \(dims[0]) records")
    }
    let memSpace = H5Screate_simple(Int32(dims.count), extent, nil)
    defer { H5Sclose(memSpace) }
    let status = out.withUnsafeMutableBytes { H5Dread(dataset, adv_h5t_native_uchar(), memSpace, fileSpace, adv_h5p_default(), $0.baseAddress) }
    guard status >= 0 else { throw DataError.unreadable(path: path, reason: "reading rows \(start)..<\(start + count) failed (file truncated?)") }
    return out
  }

  /// Writes `values` as an unsigned-byte dataset `name` of shape `dims` into a new file.
  public static func write(path: String, name: String, dims: [Int], values: [UInt8]) throws {
    precondition(values.count == dims.reduce(1, *))
    _ = adv_h5_quiet()
    let file = H5Fcreate(path, adv_h5f_acc_trunc(), adv_h5p_default(), adv_h5p_default())
    guard file >= 0 else { throw DataError.unreadable(path: path, reason: "cannot create the file") }
    defer { H5Fclose(file) }
    let extent = dims.map { hsize_t($0) }
    let space = H5Screate_simple(Int32(dims.count), extent, nil)
    defer { H5Sclose(space) }
    let dataset = H5Dcreate2(file, name, adv_h5t_native_uchar(), space, adv_h5p_default(), adv_h5p_default(), adv_h5p_default())
    guard dataset >= 0 else { throw DataError.unreadable(path: path, reason: "cannot create dataset '\(name)'") }
    defer { H5Dclose(dataset) }
    let status = values.withUnsafeBytes { H5Dwrite(dataset, adv_h5t_native_uchar(), adv_h5s_all(), adv_h5s_all(), adv_h5p_default(), $0.baseAddress) }
    guard status >= 0 else { throw DataError.unreadable(path: path, reason: "writing dataset '\(name)' failed") }
  }
}
