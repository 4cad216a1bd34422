import CArborKernels

/// A weight matrix `[rows][cols]` in its stored type, with the activation type it dots with.
struct WeightMatrix {
    let data: UnsafeRawPointer
    let type: Int32
    let rows: Int
    let cols: Int
    var activationType: Int32 { arbor_activation_type(type) }
}

/// One transformer block's weights, all views into the model file.
struct LayerWeights {
    let attnNorm: UnsafePointer<Float>  // [dim]
    let wq: WeightMatrix                // [qDim][dim]
    let wk: WeightMatrix                // [kvDim][dim]
    let wv: WeightMatrix                // [kvDim][dim]
    let wo: WeightMatrix                // [dim][qDim]
    let bq: UnsafePointer<Float>?       // [qDim]   qwen2
    let bk: UnsafePointer<Float>?       // [kvDim]  qwen2
    let bv: UnsafePointer<Float>?       // [kvDim]  qwen2
    let qNorm: UnsafePointer<Float>?    // [headDim] qwen3
    let kNorm: UnsafePointer<Float>?    // [headDim] qwen3
    let ffnNorm: UnsafePointer<Float>   // [dim]
    let gate: WeightMatrix              // [ffnDim][dim]
    let up: WeightMatrix                // [ffnDim][dim]
    let down: WeightMatrix              // [dim][ffnDim]
}

/// All weights of a model, looked up by llama.cpp's tensor names and checked against the
/// configuration's shapes.
struct TransformerWeights {
    let tokenEmbedding: WeightMatrix   // [vocab][dim]
    let layers: [LayerWeights]
    let outputNorm: UnsafePointer<Float> // [dim]
    let output: WeightMatrix           // [vocab][dim], token_embd when tied

    init(config c: ModelConfig, tensor: (String) -> TensorView?) throws {
        func view(_ name: String, _ shape: [Int]) throws -> TensorView {
            guard let t = tensor(name) else { throw ModelError.missingTensor(name: name) }
            let found = t.shape.count == 1 ? [t.shape[0]] : [t.rowLength, t.rowCount]
            guard found == shape else { throw ModelError.tensorShape(name: name, expected: shape, found: t.shape) }
            return t
        }
        func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
            let t = try view(name, [cols, rows])
            guard arbor_type_supported(t.type) != 0, cols % Int(arbor_type_block_elems(t.type)) == 0 else {
                throw ModelError.unsupportedTensorType(name: name, type: Int(t.type))
            }
            return WeightMatrix(data: t.data, type: t.type, rows: rows, cols: cols)
        }
        func vector(_ name: String, _ n: Int) throws -> UnsafePointer<Float> {
            let t = try view(name, [n])
            guard t.type == Int32(ARBOR_TYPE_F32.rawValue) else {
                throw ModelError.unsupportedTensorType(name: name, type: Int(t.type))
            }
            return t.data.assumingMemoryBound(to: Float.self)
        }
        func optionalVector(_ name: String, _ n: Int) throws -> UnsafePointer<Float>? {
            tensor(name) == nil ? nil : try vector(name, n)
        }

        tokenEmbedding = try matrix("token_embd.weight", rows: c.vocabularySize, cols: c.dim)
        outputNorm = try vector("output_norm.weight", c.dim)
        output = tensor("output.weight") == nil
            ? tokenEmbedding : try matrix("output.weight", rows: c.vocabularySize, cols: c.dim)
        layers = try (0..<c.nLayer).map { i in
            let p = "blk.\(i)."
            return LayerWeights(
                attnNorm: try vector(p + "attn_norm.weight", c.dim),
                wq: try matrix(p + "attn_q.weight", rows: c.qDim, cols: c.dim),
                wk: try matrix(p + "attn_k.weight", rows: c.kvDim, cols: c.dim),
                wv: try matrix(p + "attn_v.weight", rows: c.kvDim, cols: c.dim),
                wo: try matrix(p + "attn_output.weight", rows: c.dim, cols: c.qDim),
                bq: c.hasQKVBias ? try vector(p + "attn_q.bias", c.qDim) : try optionalVector(p + "attn_q.bias", c.qDim),
                bk: c.hasQKVBias ? try vector(p + "attn_k.bias", c.kvDim) : try optionalVector(p + "attn_k.bias", c.kvDim),
                bv: c.hasQKVBias ? try vector(p + "attn_v.bias", c.kvDim) : try optionalVector(p + "attn_v.bias", c.kvDim),
                qNorm: c.hasQKNorm ? try vector(p + "attn_q_norm.weight", c.headDim) : nil,
                kNorm: c.hasQKNorm ? try vector(p + "attn_k_norm.weight", c.headDim) : nil,
                ffnNorm: try vector(p + "ffn_norm.weight", c.dim),
                gate: try matrix(p + "ffn_gate.weight", rows: c.ffnDim, cols: c.dim),
                up: try matrix(p + "ffn_up.weight", rows: c.ffnDim, cols: c.dim),
                down: try matrix(p + "ffn_down.weight", rows: c.dim, cols: c.ffnDim))
        }
    }
}
