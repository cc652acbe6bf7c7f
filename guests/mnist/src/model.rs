//! Reading the ggml model file in place: two dense layers, no copies.

/// Inputs of the first layer (28×28 pixels).
pub const INPUTS: usize = 784;
/// Hidden units.
pub const HIDDEN: usize = 20;
/// Classes.
pub const OUTPUTS: usize = 10;

const MAGIC: u32 = 0x6767_6d6c;

/// One dense layer's weights and biases, as little-endian f32 bytes of the model file.
pub struct Layer<'a> {
    inputs: usize,
    weights: &'a [u8],
    biases: &'a [u8],
}

impl Layer<'_> {
    /// Output `j`'s weights, one little-endian f32 per input.
    pub fn row(&self, j: usize) -> &[u8] {
        &self.weights[4 * j * self.inputs..4 * (j + 1) * self.inputs]
    }

    /// Output `j`'s bias.
    pub fn bias(&self, j: usize) -> f32 {
        f32_at(self.biases, j)
    }
}

fn f32_at(bytes: &[u8], k: usize) -> f32 {
    let b = &bytes[4 * k..4 * k + 4];
    f32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn u32_at(bytes: &[u8], pos: usize) -> u32 {
    u32::from_le_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]])
}

/// The two layers of the embedded model and the file length they span. The file is a
/// compile-time constant whose shape a native test checks, so a malformed file fails the
/// build's tests, not a request.
pub fn layers(file: &[u8]) -> (Layer<'_>, Layer<'_>, usize) {
    assert_eq!(u32_at(file, 0), MAGIC, "not a ggml model file");
    let (l1, pos) = layer(file, 4, INPUTS, HIDDEN);
    let (l2, end) = layer(file, pos, HIDDEN, OUTPUTS);
    (l1, l2, end)
}

/// Parses one layer at `pos`: `n_dims`, dims, weights, `n_dims`, dims, biases.
fn layer(file: &[u8], mut pos: usize, inputs: usize, outputs: usize) -> (Layer<'_>, usize) {
    assert_eq!(u32_at(file, pos), 2, "weight rank");
    assert_eq!(u32_at(file, pos + 4) as usize, inputs, "weight ne[0]");
    assert_eq!(u32_at(file, pos + 8) as usize, outputs, "weight ne[1]");
    pos += 12;
    let weights = &file[pos..pos + 4 * inputs * outputs];
    pos += weights.len();
    let dims = u32_at(file, pos) as usize;
    assert_eq!(u32_at(file, pos + 4) as usize, outputs, "bias ne[0]");
    pos += 4 + 4 * dims;
    let biases = &file[pos..pos + 4 * outputs];
    pos += biases.len();
    (
        Layer {
            inputs,
            weights,
            biases,
        },
        pos,
    )
}
