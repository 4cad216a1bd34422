#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The description of one tensor in a GGUF file: its name, shape, type and where its bytes lie.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions innermost first, as ggml orders them (`ne[0]` is the row length).
    public let dimensions: [Int]
    public let type: GGUFTensorType
    /// Offset of the tensor's bytes from the start of the data section.
    public let dataOffset: UInt64
    /// Number of elements: the product of the dimensions.
    public let elementCount: Int
    /// Bytes the tensor takes, from the ggml block layout of its type.
    public let byteCount: Int
}

/// A tensor's bytes inside a mapped GGUF file.
///
/// `data` points into the `GGUFFile`'s mapping and stays valid only while that file object is
/// alive; keep a reference to the file for as long as you use the pointer.
public struct GGUFTensor: @unchecked Sendable {
    // @unchecked: the pointer is read-only memory owned by an immutable GGUFFile mapping.
    public let info: GGUFTensorInfo
    public let data: UnsafeRawPointer

    public var name: String { info.name }
    public var type: GGUFTensorType { info.type }
    public var dimensions: [Int] { info.dimensions }
    public var elementCount: Int { info.elementCount }
    public var byteCount: Int { info.byteCount }
}

/// A GGUF model file (versions 2 and 3), memory-mapped and parsed.
///
/// Opening the file parses the header, every metadata key/value and every tensor info, and
/// checks that every tensor's bytes lie inside the file at an aligned offset, so a truncated
/// download fails here with a `GGUFError` naming the field and byte offset rather than later
/// inside a kernel. Tensor bytes are not copied: `tensor(named:)` returns a pointer into the
/// mapping.
///
/// ```swift
/// let gguf = try GGUFFile(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
/// let arch = try gguf.string("general.architecture")        // "llama"
/// let layers = try gguf.uint32("\(arch).block_count")        // 30
/// let embedding = try gguf.tensor(named: "token_embd.weight") // Q8_0, [576, 49152]
/// ```
public final class GGUFFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and never changes after init; all stored
    // properties are immutable, so sharing across threads is safe. The memory is released
    // in deinit only, when no one can hold a reference any more.

    /// The GGUF format version (2 or 3).
    public let version: UInt32
    /// Metadata values by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order (for dumps and faithful rewriting).
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Tensor data alignment (`general.alignment`, 32 when absent).
    public let alignment: Int
    /// Byte offset in the file where the tensor data section starts.
    public let dataStart: Int
    /// Size of the file in bytes.
    public let fileSize: Int
    /// Where the file came from (a path, or `<memory>`).
    public let source: String

    private let base: UnsafeRawPointer
    private let release: Release
    private let tensorIndex: [String: Int]

    private enum Release {
        case unmap
        case deallocate
    }

    /// Opens and parses the GGUF file at `path` by mapping it read-only.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw GGUFError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw GGUFError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            throw GGUFError.truncated(field: "magic", offset: 0, needed: 4)
        }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
            throw GGUFError.unreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        do {
            try self.init(base: UnsafeRawPointer(mapping), size: size, release: .unmap, source: path)
        } catch {
            munmap(mapping, size)
            throw error
        }
    }

    /// Parses a GGUF image held in memory (the bytes are copied). Used by tests and tools
    /// that build models on the fly.
    public convenience init(bytes: [UInt8]) throws {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let from = source.baseAddress { storage.copyMemory(from: from, byteCount: bytes.count) }
        }
        do {
            try self.init(base: UnsafeRawPointer(storage), size: bytes.count, release: .deallocate, source: "<memory>")
        } catch {
            storage.deallocate()
            throw error
        }
    }

    private init(base: UnsafeRawPointer, size: Int, release: Release, source: String) throws {
        var reader = GGUFByteReader(buffer: UnsafeRawBufferPointer(start: base, count: size))
        let parsed = try reader.parseFile()
        self.base = base
        self.release = release
        self.source = source
        self.fileSize = size
        self.version = parsed.version
        self.metadata = parsed.metadata
        self.metadataKeys = parsed.metadataKeys
        self.tensors = parsed.tensors
        self.alignment = parsed.alignment
        self.dataStart = parsed.dataStart
        var index = [String: Int](minimumCapacity: parsed.tensors.count)
        for (i, tensor) in parsed.tensors.enumerated() { index[tensor.name] = i }
        self.tensorIndex = index
    }

    deinit {
        switch release {
        case .unmap: munmap(UnsafeMutableRawPointer(mutating: base), fileSize)
        case .deallocate: UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// The info of the tensor named `name`, or `nil`.
    public func tensorInfo(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor named `name`, with a pointer to its bytes in the mapping.
    public func tensor(named name: String) throws -> GGUFTensor {
        guard let info = tensorInfo(named: name) else { throw GGUFError.missingTensor(name) }
        return GGUFTensor(info: info, data: base + dataStart + Int(info.dataOffset))
    }

    /// Whether a tensor of that name exists.
    public func hasTensor(named name: String) -> Bool { tensorIndex[name] != nil }

    /// The whole file's bytes; valid while this object is alive.
    public var rawBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: fileSize) }
}
