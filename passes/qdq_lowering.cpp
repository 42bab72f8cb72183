#include "passes/qdq_lowering.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "passes/type_inference.h"

namespace deeploy {

namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

bool fitsInt32(int64_t v) { return v >= std::numeric_limits<int32_t>::min() && v <= kInt32Max; }

// How a quantized tensor maps to real values: real = scale * (q - zero_point), per tensor or per
// channel along `axis` (normalised to the tensor's rank).
struct QuantParams {
  std::vector<double> scale;
  std::vector<int64_t> zeroPoint;
  int64_t axis = 0;
  DType type = DType::Undefined;

  bool perTensor() const { return scale.size() == 1; }
  double scaleAt(size_t c) const { return scale[perTensor() ? 0 : c]; }
  int64_t zeroAt(size_t c) const { return zeroPoint[perTensor() ? 0 : c]; }
  bool sameAs(const QuantParams& o) const {
    return scale == o.scale && zeroPoint == o.zeroPoint && type == o.type && (perTensor() || axis == o.axis);
  }
  int64_t lowest() const { return type == DType::Int8 ? -128 : 0; }
  int64_t highest() const { return type == DType::Int8 ? 127 : 255; }
};

// A quantized operand of a lowered op: the integer tensor behind a DequantizeLinear and its parameters.
struct Quantized {
  TensorId q = kNoTensor;
  QuantParams params;
};

// The QuantizeLinear nodes that all read an op's result (through an optional Relu or constant Clip).
struct QuantizedResult {
  std::vector<int> quantizers;
  std::vector<int> absorbed;  // the activation, if any
  QuantParams params;
  double clampLow = -INFINITY, clampHigh = INFINITY;  // the activation's bounds, real values
};

// Fixed-point requantization y = clamp((acc * mul + add + 2^(shift-1)) >> shift): mul / 2^shift stands
// for a real multiplier, add for a real offset and an integer correction of the accumulator.
struct FixedPoint {
  int shift = 0;
  std::vector<int64_t> mul, add;
};

// The largest shift (at most 31, div = 2^shift) for which every mul and add, rounding included, fits
// int32, with y = multiplier[c] * (acc - correction[c]) + offset[c].
std::optional<FixedPoint> fixedPoint(const std::vector<double>& multiplier, const std::vector<double>& offset,
                                     const std::vector<int64_t>& correction) {
  for (int shift = 31; shift >= 0; --shift) {
    FixedPoint fp{shift, {}, {}};
    const double unit = std::ldexp(1.0, shift);
    const int64_t rounding = shift > 0 ? int64_t{1} << (shift - 1) : 0;
    bool fits = true;
    for (size_t c = 0; c < multiplier.size() && fits; ++c) {
      const double m = std::nearbyint(multiplier[c] * unit), a = std::nearbyint(offset[c] * unit);
      if (!(std::fabs(m) <= kInt32Max && std::fabs(a) <= 4.0 * kInt32Max)) {
        fits = false;
        break;
      }
      const int64_t mul = static_cast<int64_t>(m);
      const int64_t add = static_cast<int64_t>(a) - mul * correction[c];
      fits = fitsInt32(add) && fitsInt32(add + rounding);
      fp.mul.push_back(mul);
      fp.add.push_back(add);
    }
    if (fits) return fp;
  }
  return std::nullopt;
}

// Ops that select or move elements (or take the largest or smallest): they commute with an increasing
// affine map, so they run on the quantized values as they are.
bool isDataMovement(const std::string& op) {
  static const std::set<std::string> ops = {"Reshape", "Flatten", "Squeeze",   "Unsqueeze", "Transpose",    "Identity",
                                            "MaxPool", "Slice",   "Gather",    "Concat",    "Pad",          "Resize",
                                            "Expand",  "Tile",    "ReduceMax", "ReduceMin", "DepthToSpace", "SpaceToDepth"};
  return ops.count(op) != 0;
}

class QdqLowering {
 public:
  QdqLowering(Graph& graph, const Graph& typed)
      : graph_(graph), typed_(typed), consumers_(graph.consumers()), removed_(graph.nodes.size(), false) {
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      for (TensorId out : graph.nodes[n].outputs) {
        if (out != kNoTensor) producer_[out] = static_cast<int>(n);
      }
    }
  }

  int run() {
    int lowered = 0;
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
      if (!removed_[n] && lowerNode(static_cast<int>(n))) ++lowered;
    }
    std::vector<Node> nodes;
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
      if (!removed_[n]) nodes.push_back(std::move(graph_.nodes[n]));
    }
    for (Node& node : added_) nodes.push_back(std::move(node));
    graph_.nodes = std::move(nodes);
    for (auto [from, to] : aliases_) graph_.replaceUses(from, to);
    graph_.topologicalSort();
    return lowered;
  }

 private:
  bool lowerNode(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    if (node.op == "Conv") return lowerConv(n);
    if (node.op == "MatMul" || node.op == "Gemm") return lowerProduct(n);
    if (node.op == "Add") return lowerAdd(n);
    if (node.op == "Mul") return lowerMul(n);
    if (activationBounds(node)) return lowerActivation(n);
    if (node.op == "GlobalAveragePool" || node.op == "ReduceMean") return lowerMean(n);
    if (node.op == "AveragePool") return lowerAveragePool(n);
    if (node.op == "QuantizeLinear") return lowerRequantization(n);
    if (isDataMovement(node.op)) return lowerDataMovement(n);
    return false;
  }

  // ---- Reading the QDQ form ---------------------------------------------------------------------

  const Node* producer(TensorId id) const {
    auto it = producer_.find(id);
    return it == producer_.end() || removed_[static_cast<size_t>(it->second)] ? nullptr : &graph_.nodes[static_cast<size_t>(it->second)];
  }

  const TensorData* constantOf(const Node& node, size_t input) const {
    if (input >= node.inputs.size() || node.inputs[input] == kNoTensor) return nullptr;
    const Tensor& t = graph_.tensor(node.inputs[input]);
    return t.isConstant() ? &*t.constant : nullptr;
  }

  // The parameters of a QuantizeLinear or DequantizeLinear whose quantized side has type `type`:
  // constant float scales and integer zero points, no blocks; nullopt otherwise (the ops then run).
  std::optional<QuantParams> readParams(const Node& node, DType type, size_t rank) const {
    if (node.attrs.getInt("block_size", 0) != 0) return std::nullopt;
    const TensorData* scale = constantOf(node, 1);
    const TensorData* zero = constantOf(node, 2);
    bool zeroAbsent = node.inputs.size() < 3 || node.inputs[2] == kNoTensor;
    if (!scale || !isFloat(scale->dtype()) || scale->shape().size() > 1 || scale->size() < 1) return std::nullopt;
    if (!zeroAbsent && (!zero || zero->size() != scale->size() || !isInteger(zero->dtype()))) return std::nullopt;
    QuantParams p;
    p.type = type;
    p.scale = scale->toDoubles();
    p.zeroPoint = zeroAbsent ? std::vector<int64_t>(p.scale.size(), 0) : zero->toInts();
    if (std::any_of(p.scale.begin(), p.scale.end(), [](double s) { return !(s > 0) || !std::isfinite(s); })) return std::nullopt;
    int64_t axis = node.attrs.getInt("axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(rank);
    if (!p.perTensor() && (axis < 0 || axis >= static_cast<int64_t>(rank))) return std::nullopt;
    p.axis = p.perTensor() ? 0 : axis;
    return p;
  }

  DType typeOf(TensorId id) const {
    return static_cast<size_t>(id) < typed_.tensors.size() ? typed_.tensor(id).dtype : DType::Undefined;
  }
  const Shape& shapeOf(TensorId id) const { return typed_.tensor(id).shape; }

  // The quantized tensor behind float tensor `id` if a DequantizeLinear of an 8-bit (or, for
  // `allowInt32`, int32 bias) tensor produces it.
  std::optional<Quantized> dequantized(TensorId id, bool allowInt32 = false) const {
    if (id == kNoTensor) return std::nullopt;
    const Node* dq = producer(id);
    if (!dq || dq->op != "DequantizeLinear" || dq->inputs.empty()) return std::nullopt;
    TensorId q = dq->inputs[0];
    DType type = typeOf(q);
    bool eightBit = type == DType::Int8 || type == DType::UInt8;
    if (!eightBit && !(allowInt32 && type == DType::Int32)) return std::nullopt;
    auto params = readParams(*dq, type, shapeOf(q).size());
    if (!params) return std::nullopt;
    return Quantized{q, *params};
  }

  std::optional<Quantized> dequantizedRuntime(TensorId id) const {
    auto d = dequantized(id);
    if (!d || graph_.tensor(d->q).isConstant() || !d->params.perTensor()) return std::nullopt;
    return d;
  }

  std::optional<Quantized> dequantizedConstant(TensorId id) const {
    auto d = dequantized(id);
    if (!d || !graph_.tensor(d->q).isConstant()) return std::nullopt;
    return d;
  }

  // Real bounds of a Relu or a Clip with constant (or absent) bounds; nullopt for other ops.
  std::optional<std::pair<double, double>> activationBounds(const Node& node) const {
    if (node.op == "Relu") return std::pair{0.0, INFINITY};
    if (node.op != "Clip") return std::nullopt;
    double lo = -INFINITY, hi = INFINITY;
    if (node.attrs.has("min")) lo = node.attrs.getFloat("min");
    if (node.attrs.has("max")) hi = node.attrs.getFloat("max");
    for (size_t i : {1, 2}) {
      if (i >= node.inputs.size() || node.inputs[i] == kNoTensor) continue;
      const TensorData* bound = constantOf(node, i);
      if (!bound || bound->size() != 1) return std::nullopt;
      (i == 1 ? lo : hi) = bound->getDouble(0);
    }
    return std::pair{lo, hi};
  }

  // The nodes still in the graph that read `id`.
  std::vector<int> readers(TensorId id) const {
    std::vector<int> r;
    for (int c : consumers_[static_cast<size_t>(id)]) {
      if (!removed_[static_cast<size_t>(c)]) r.push_back(c);
    }
    return r;
  }

  // The QuantizeLinear nodes (all with the same parameters, per tensor) reading node n's only output,
  // directly or through one Relu / constant Clip read by nothing else.
  std::optional<QuantizedResult> quantizedResult(int n) const {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    if (node.outputs.size() != 1 || node.outputs[0] == kNoTensor) return std::nullopt;
    QuantizedResult result;
    TensorId value = node.outputs[0];
    std::vector<int> next = readers(value);
    if (graph_.isGraphOutput(value) || next.empty()) return std::nullopt;
    if (next.size() == 1) {
      const Node& reader = graph_.nodes[static_cast<size_t>(next[0])];
      if (auto bounds = activationBounds(reader)) {
        if (reader.inputs[0] != value || reader.outputs.size() != 1) return std::nullopt;
        std::tie(result.clampLow, result.clampHigh) = *bounds;
        result.absorbed.push_back(next[0]);
        value = reader.outputs[0];
        next = readers(value);
        if (graph_.isGraphOutput(value) || next.empty()) return std::nullopt;
      }
    }
    for (int q : next) {
      const Node& quantizer = graph_.nodes[static_cast<size_t>(q)];
      if (quantizer.op != "QuantizeLinear" || quantizer.inputs[0] != value || quantizer.outputs.size() != 1) return std::nullopt;
      TensorId out = quantizer.outputs[0];
      auto params = readParams(quantizer, typeOf(out), shapeOf(value).size());
      if (!params || !params->perTensor() || (params->type != DType::Int8 && params->type != DType::UInt8)) return std::nullopt;
      if (!result.quantizers.empty() && !params->sameAs(result.params)) return std::nullopt;
      result.params = *params;
      result.quantizers.push_back(q);
    }
    return result;
  }

  // ---- Building the integer nodes ---------------------------------------------------------------

  TensorId newTensor(const std::string& hint, DType declared = DType::Undefined) {
    Tensor t;
    t.name = graph_.uniqueTensorName(hint);
    t.declaredType = declared;
    return graph_.addTensor(std::move(t));
  }

  TensorId addConstant(const std::string& hint, TensorData value) { return graph_.addConstant(hint, std::move(value)); }

  void addNode(const std::string& op, const std::string& name, std::vector<TensorId> inputs, std::vector<TensorId> outputs,
               Attributes attrs = {}) {
    Node node;
    node.op = op;
    node.name = name;
    node.inputs = std::move(inputs);
    node.outputs = std::move(outputs);
    node.attrs = std::move(attrs);
    added_.push_back(std::move(node));
  }

  static TensorData int32Values(Shape shape, const std::vector<int64_t>& values) {
    return TensorData::fromInts(DType::Int32, std::move(shape), values);
  }

  // RequantShift of `acc` into the result's type, then an integer Clip for an absorbed activation
  // whose bounds the type's range does not already give; the last node writes `out`.
  void requantizeInto(TensorId acc, const FixedPoint& fp, const Shape& paramShape, const QuantizedResult& result,
                      const std::string& name, TensorId out) {
    const QuantParams& p = result.params;
    // The activation's bounds in the quantized domain, within the type's range.
    auto quantized = [&](double v, int64_t unbounded) {
      if (!std::isfinite(v)) return unbounded;
      double q = std::nearbyint(v / p.scale[0]) + static_cast<double>(p.zeroPoint[0]);
      return static_cast<int64_t>(std::clamp(q, static_cast<double>(p.lowest()), static_cast<double>(p.highest())));
    };
    const int64_t lo = quantized(result.clampLow, p.lowest());
    const int64_t hi = std::max(lo, quantized(result.clampHigh, p.highest()));
    const bool clip = lo > p.lowest() || hi < p.highest();
    Attributes attrs;
    attrs.set("div", int64_t{1} << fp.shift);
    attrs.set("n_levels", int64_t{256});
    attrs.set("signed", int64_t{p.type == DType::Int8 ? 1 : 0});
    TensorId requantized = clip ? newTensor(name + "_requantized") : out;
    addNode("RequantShift", name + "_requant",
            {acc, addConstant(name + "_mul", int32Values(paramShape, fp.mul)), addConstant(name + "_add", int32Values(paramShape, fp.add))},
            {requantized}, std::move(attrs));
    if (!clip) return;
    auto bound = [&](int64_t v) { return addConstant(name + "_clip_bound", TensorData::scalarInt(p.type, v)); };
    addNode("Clip", name + "_clip", {requantized, bound(lo), bound(hi)}, {out});
  }

  // Retires node n, its absorbed activation and its QuantizeLinear nodes; returns the tensor the lowered
  // nodes write (the first QuantizeLinear's output, which the others' readers now read).
  TensorId retire(int n, const QuantizedResult& result) {
    removed_[static_cast<size_t>(n)] = true;
    for (int a : result.absorbed) removed_[static_cast<size_t>(a)] = true;
    TensorId out = graph_.nodes[static_cast<size_t>(result.quantizers[0])].outputs[0];
    for (int q : result.quantizers) {
      removed_[static_cast<size_t>(q)] = true;
      TensorId other = graph_.nodes[static_cast<size_t>(q)].outputs[0];
      if (other != out) aliases_.push_back({other, out});
    }
    return out;
  }

  // An integer Sub of the zero point (to int16) when it is not 0: what a product of two run-time
  // operands multiplies.
  TensorId withoutZeroPoint(const Quantized& v, const std::string& name) {
    if (v.params.zeroPoint[0] == 0) return v.q;
    TensorId shifted = newTensor(name + "_centred", DType::Int16);
    addNode("Sub", name + "_centre", {v.q, addConstant(name + "_zero_point", TensorData::scalarInt(DType::Int16, v.params.zeroPoint[0]))},
            {shifted});
    return shifted;
  }

  // Constant weights minus their per-channel zero points (channels along `axis`), int8 when they fit
  // and int16 otherwise; `sums` receives each channel's sum.
  TensorId centredWeights(const Quantized& w, size_t axis, const std::string& name, std::vector<int64_t>& sums) {
    const TensorData& q = *graph_.tensor(w.q).constant;
    const Shape& shape = q.shape();
    int64_t channels = shape[axis], inner = 1;
    for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
    std::vector<int64_t> values = q.toInts();
    sums.assign(static_cast<size_t>(channels), 0);
    int64_t lo = 0, hi = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      size_t c = static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
      values[i] -= w.params.zeroAt(c);
      sums[c] += values[i];
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
    DType type = lo >= -128 && hi <= 127 ? DType::Int8 : DType::Int16;
    return addConstant(name + "_weights", TensorData::fromInts(type, shape, values));
  }

  // ---- The lowerings ----------------------------------------------------------------------------

  bool lowerConv(int n) {
    const Node& conv = graph_.nodes[static_cast<size_t>(n)];
    auto x = dequantizedRuntime(conv.inputs[0]);
    auto w = dequantizedConstant(conv.inputs[1]);
    auto result = quantizedResult(n);
    if (!x || !w || !result) return false;
    if (!w->params.perTensor() && w->params.axis != 0) return false;
    std::string autoPad = conv.attrs.getString("auto_pad", "NOTSET");
    if (autoPad != "NOTSET" && autoPad != "VALID") return false;
    const Shape& wShape = shapeOf(conv.inputs[1]);
    const int64_t channels = wShape[0];
    auto bias = realBias(conv, 2, channels);
    if (!bias) return false;

    std::vector<int64_t> sums;
    const std::string name = conv.name.empty() ? "conv" : conv.name;
    TensorId weights = centredWeights(*w, 0, name, sums);
    const int64_t zx = x->params.zeroPoint[0];
    std::vector<double> multiplier, offset;
    std::vector<int64_t> correction;
    for (int64_t c = 0; c < channels; ++c) {
      const double sw = w->params.scaleAt(static_cast<size_t>(c));
      multiplier.push_back(x->params.scale[0] * sw / result->params.scale[0]);
      offset.push_back((*bias)[static_cast<size_t>(c)] / result->params.scale[0] + static_cast<double>(result->params.zeroPoint[0]));
      correction.push_back(zx * sums[static_cast<size_t>(c)]);
    }
    auto fp = fixedPoint(multiplier, offset, correction);
    if (!fp) return false;

    Attributes attrs = conv.attrs;
    TensorId input = x->q;
    std::vector<int64_t> pads = conv.attrs.getInts("pads", {});
    if (zx != 0 && std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; })) {
      input = padWithZeroPoint(*x, pads, name);
      attrs.erase("pads");
    }
    attrs.erase("auto_pad");
    TensorId out = retire(n, *result);
    TensorId acc = newTensor(name + "_acc");
    addNode("Conv", name, {input, weights}, {acc}, std::move(attrs));
    Shape paramShape(wShape.size() - 1, 1);
    paramShape[0] = channels;
    requantizeInto(acc, *fp, paramShape, *result, name, out);
    return true;
  }

  // A window mean over a constant count (no padding, or padding counted): the window sums as a depthwise
  // integer Conv with unit weights (padding with the zero point as lowerConv does), then a RequantShift
  // by sx / (sy * count).
  bool lowerAveragePool(int n) {
    const Node& pool = graph_.nodes[static_cast<size_t>(n)];
    auto x = dequantizedRuntime(pool.inputs[0]);
    auto result = quantizedResult(n);
    const Shape& shape = shapeOf(pool.inputs[0]);
    if (!x || !result || (shape.size() != 3 && shape.size() != 4)) return false;
    const std::vector<int64_t> kernel = pool.attrs.getInts("kernel_shape", {});
    const std::vector<int64_t> pads = pool.attrs.getInts("pads", {});
    const std::vector<int64_t> dilations = pool.attrs.getInts("dilations", {});
    const bool padded = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; });
    if (kernel.size() + 2 != shape.size() || pool.attrs.getInt("ceil_mode", 0) != 0 ||
        pool.attrs.getString("auto_pad", "NOTSET") != "NOTSET" ||
        std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; }) ||
        (padded && pool.attrs.getInt("count_include_pad", 0) == 0)) {
      return false;
    }
    int64_t count = 1;
    for (int64_t k : kernel) count *= k;
    auto fp = fixedPoint({x->params.scale[0] / (result->params.scale[0] * static_cast<double>(count))},
                         {static_cast<double>(result->params.zeroPoint[0])}, {x->params.zeroPoint[0] * count});
    if (!fp || count <= 0) return false;
    const std::string name = pool.name.empty() ? "average_pool" : pool.name;
    Attributes attrs;
    attrs.set("group", shape[1]);
    attrs.set("kernel_shape", kernel);
    attrs.set("strides", pool.attrs.getInts("strides", std::vector<int64_t>(kernel.size(), 1)));
    TensorId input = x->q;
    if (padded && x->params.zeroPoint[0] != 0) {
      input = padWithZeroPoint(*x, pads, name);
    } else if (padded) {
      attrs.set("pads", pads);
    }
    Shape onesShape{shape[1], 1};
    onesShape.insert(onesShape.end(), kernel.begin(), kernel.end());
    TensorId ones = addConstant(name + "_ones", TensorData::fromInts(DType::Int8, onesShape, std::vector<int64_t>(static_cast<size_t>(shape[1] * count), 1)));
    TensorId out = retire(n, *result);
    TensorId sum = newTensor(name + "_sum");
    addNode("Conv", name, {input, ones}, {sum}, std::move(attrs));
    requantizeInto(sum, *fp, {1}, *result, name, out);
    return true;
  }

  // Padding with the input's zero point (real 0) before a Conv whose accumulator correction assumes
  // every tap reads a zero point where the Conv would read padding.
  TensorId padWithZeroPoint(const Quantized& x, const std::vector<int64_t>& convPads, const std::string& name) {
    const size_t spatial = convPads.size() / 2;
    std::vector<int64_t> pads(2 * (spatial + 2), 0);
    for (size_t d = 0; d < spatial; ++d) {
      pads[2 + d] = convPads[d];
      pads[spatial + 4 + d] = convPads[spatial + d];
    }
    TensorId padded = newTensor(name + "_padded");
    Attributes attrs;
    attrs.set("mode", std::string("constant"));
    addNode("Pad", name + "_pad",
            {x.q, addConstant(name + "_pads", TensorData::fromInts(DType::Int64, {static_cast<int64_t>(pads.size())}, pads)),
             addConstant(name + "_pad_value", TensorData::scalarInt(x.params.type, x.params.zeroPoint[0]))},
            {padded}, std::move(attrs));
    return padded;
  }

  // The real bias per output channel of input `index` (absent: zeros): a float constant, or an int32
  // constant behind a DequantizeLinear; scaled by `factor` (Gemm's beta).
  std::optional<std::vector<double>> realBias(const Node& node, size_t index, int64_t channels, double factor = 1.0) const {
    std::vector<double> bias(static_cast<size_t>(channels), 0.0);
    if (index >= node.inputs.size() || node.inputs[index] == kNoTensor) return bias;
    TensorId id = node.inputs[index];
    std::vector<double> values;
    if (graph_.tensor(id).isConstant() && isFloat(graph_.tensor(id).dtype)) {
      values = graph_.tensor(id).constant->toDoubles();
    } else if (auto q = dequantized(id, true); q && graph_.tensor(q->q).isConstant()) {
      std::vector<int64_t> ints = graph_.tensor(q->q).constant->toInts();
      if (!q->params.perTensor() && q->params.scale.size() != ints.size()) return std::nullopt;
      for (size_t i = 0; i < ints.size(); ++i) values.push_back(q->params.scaleAt(i) * static_cast<double>(ints[i] - q->params.zeroAt(i)));
    } else {
      return std::nullopt;
    }
    if (values.size() != 1 && values.size() != bias.size()) return std::nullopt;
    for (size_t c = 0; c < bias.size(); ++c) bias[c] = factor * values[values.size() == 1 ? 0 : c];
    return bias;
  }

  // MatMul with a constant B [K, N] or a run-time B; Gemm with a constant B (transB either way), no transA.
  bool lowerProduct(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    const bool gemm = node.op == "Gemm";
    auto a = dequantizedRuntime(node.inputs[0]);
    auto result = quantizedResult(n);
    if (!a || !result || node.inputs.size() < 2) return false;
    if (gemm && node.attrs.getInt("transA", 0) != 0) return false;
    const bool transB = gemm && node.attrs.getInt("transB", 0) != 0;
    const double alpha = gemm ? node.attrs.getFloat("alpha", 1.0) : 1.0;
    const double beta = gemm ? node.attrs.getFloat("beta", 1.0) : 1.0;
    if (!(alpha > 0)) return false;
    const std::string name = node.name.empty() ? node.op : node.name;

    if (auto b = dequantizedConstant(node.inputs[1])) {
      const Shape& bShape = shapeOf(node.inputs[1]);
      if (bShape.size() != 2) return false;
      const size_t columnAxis = transB ? 0 : 1;
      if (!b->params.perTensor() && static_cast<size_t>(b->params.axis) != columnAxis) return false;
      const int64_t columns = bShape[columnAxis];
      auto bias = realBias(node, 2, columns, beta);
      if (!bias) return false;
      std::vector<int64_t> sums = columnSums(*b, transB);
      const int64_t za = a->params.zeroPoint[0];
      std::vector<double> multiplier, offset;
      std::vector<int64_t> correction;
      for (int64_t c = 0; c < columns; ++c) {
        multiplier.push_back(alpha * a->params.scale[0] * b->params.scaleAt(static_cast<size_t>(c)) / result->params.scale[0]);
        offset.push_back((*bias)[static_cast<size_t>(c)] / result->params.scale[0] + static_cast<double>(result->params.zeroPoint[0]));
        correction.push_back(za * sums[static_cast<size_t>(c)]);
      }
      auto fp = fixedPoint(multiplier, offset, correction);
      if (!fp) return false;
      std::vector<int64_t> ignored;
      TensorId weights = centredWeights(*b, transB ? 0 : 1, name, ignored);
      emitProduct(n, *result, a->q, weights, transB, *fp, {columns}, name);
      return true;
    }
    if (gemm) return false;
    auto b = dequantizedRuntime(node.inputs[1]);
    if (!b) return false;
    auto fp = fixedPoint({a->params.scale[0] * b->params.scale[0] / result->params.scale[0]},
                         {static_cast<double>(result->params.zeroPoint[0])}, {0});
    if (!fp) return false;
    TensorId left = withoutZeroPoint(*a, name + "_a"), right = withoutZeroPoint(*b, name + "_b");
    emitProduct(n, *result, left, right, false, *fp, {1}, name);
    return true;
  }

  // Sums over K of each column of a constant B minus its zero points (the correction of A's zero point).
  std::vector<int64_t> columnSums(const Quantized& b, bool transB) const {
    const TensorData& q = *graph_.tensor(b.q).constant;
    const int64_t rows = q.shape()[0], cols = q.shape()[1];
    const int64_t columns = transB ? rows : cols;
    std::vector<int64_t> sums(static_cast<size_t>(columns), 0);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        size_t column = static_cast<size_t>(transB ? r : c);
        sums[column] += q.getInt(r * cols + c) - b.params.zeroAt(column);
      }
    }
    return sums;
  }

  void emitProduct(int n, const QuantizedResult& result, TensorId a, TensorId b, bool transB, const FixedPoint& fp,
                   const Shape& paramShape, const std::string& name) {
    const bool gemm = graph_.nodes[static_cast<size_t>(n)].op == "Gemm";
    TensorId out = retire(n, result);
    TensorId acc = newTensor(name + "_acc");
    Attributes attrs;
    if (gemm) attrs.set("transB", int64_t{transB ? 1 : 0});
    addNode(gemm ? "Gemm" : "MatMul", name, {a, b}, {acc}, std::move(attrs));
    requantizeInto(acc, fp, paramShape, result, name, out);
  }

  // y = sa (a - za) + sb (b - zb) over a common unit 2^-shift: integer Muls by the two fixed-point
  // scales, an Add, and a RequantShift that adds the zero points' terms.
  bool lowerAdd(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    auto a = dequantized(node.inputs[0]), b = dequantized(node.inputs[1]);
    auto result = quantizedResult(n);
    if (!a || !b || !result || !a->params.perTensor() || !b->params.perTensor()) return false;
    const double sy = result->params.scale[0];
    const double ra = a->params.scale[0] / sy, rb = b->params.scale[0] / sy;
    // Each scaled operand (|q| <= 255) stays below 2^29, so that their sum and the offset fit int32.
    int shift = 30;
    while (shift > 0 && std::max(ra, rb) * std::ldexp(1.0, shift) > std::ldexp(1.0, 21)) --shift;
    const int64_t ma = std::llround(ra * std::ldexp(1.0, shift)), mb = std::llround(rb * std::ldexp(1.0, shift));
    const int64_t add = std::llround(static_cast<double>(result->params.zeroPoint[0]) * std::ldexp(1.0, shift)) -
                        ma * a->params.zeroPoint[0] - mb * b->params.zeroPoint[0];
    const int64_t rounding = shift > 0 ? int64_t{1} << (shift - 1) : 0;
    if (ma == 0 || mb == 0 || !fitsInt32(add) || !fitsInt32(add + rounding)) return false;
    const FixedPoint fp{shift, {1}, {add}};
    const std::string name = node.name.empty() ? "add" : node.name;
    TensorId out = retire(n, *result);
    TensorId left = newTensor(name + "_a_scaled"), right = newTensor(name + "_b_scaled"), sum = newTensor(name + "_sum");
    addNode("Mul", name + "_scale_a", {a->q, addConstant(name + "_a_unit", TensorData::scalarInt(DType::Int32, ma))}, {left});
    addNode("Mul", name + "_scale_b", {b->q, addConstant(name + "_b_unit", TensorData::scalarInt(DType::Int32, mb))}, {right});
    addNode("Add", name, {left, right}, {sum});
    requantizeInto(sum, fp, {1}, *result, name, out);
    return true;
  }

  // y = sa sb (a - za)(b - zb): both operands without their zero points (int16), an integer Mul and a
  // RequantShift by sa sb / sy.
  bool lowerMul(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    auto a = dequantized(node.inputs[0]), b = dequantized(node.inputs[1]);
    auto result = quantizedResult(n);
    if (!a || !b || !result || !a->params.perTensor() || !b->params.perTensor()) return false;
    auto fp = fixedPoint({a->params.scale[0] * b->params.scale[0] / result->params.scale[0]},
                         {static_cast<double>(result->params.zeroPoint[0])}, {0});
    if (!fp) return false;
    const std::string name = node.name.empty() ? "mul" : node.name;
    TensorId left = withoutZeroPoint(*a, name + "_a"), right = withoutZeroPoint(*b, name + "_b");
    TensorId out = retire(n, *result);
    TensorId product = newTensor(name + "_product");
    addNode("Mul", name, {left, right}, {product});
    requantizeInto(product, *fp, {1}, *result, name, out);
    return true;
  }

  // A Relu or constant Clip on its own: the conversion to the output's quantization, then the bounds
  // as an integer Clip where the output type's range does not already give them.
  bool lowerActivation(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    auto x = dequantizedRuntime(node.inputs[0]);
    auto result = quantizedResult(n);
    auto bounds = activationBounds(node);
    if (!x || !result || !bounds || !result->absorbed.empty()) return false;
    auto fp = conversion(x->params, result->params);
    if (!fp) return false;
    std::tie(result->clampLow, result->clampHigh) = *bounds;
    TensorId out = retire(n, *result);
    requantizeInto(x->q, *fp, {1}, *result, node.name.empty() ? node.op : node.name, out);
    return true;
  }

  // The axes a GlobalAveragePool or ReduceMean averages over (normalised, sorted), nullopt when they
  // are not constant or reduce nothing.
  std::optional<std::vector<int64_t>> meanAxes(const Node& node, size_t rank) const {
    std::vector<int64_t> axes;
    if (node.op == "GlobalAveragePool") {
      for (size_t d = 2; d < rank; ++d) axes.push_back(static_cast<int64_t>(d));
    } else if (node.inputs.size() > 1 && node.inputs[1] != kNoTensor) {
      const TensorData* given = constantOf(node, 1);
      if (!given) return std::nullopt;
      axes = given->toInts();
    } else {
      axes = node.attrs.getInts("axes", {});
    }
    if (axes.empty()) return std::nullopt;
    for (int64_t& a : axes) {
      if (a < 0) a += static_cast<int64_t>(rank);
      if (a < 0 || a >= static_cast<int64_t>(rank)) return std::nullopt;
    }
    std::sort(axes.begin(), axes.end());
    return axes;
  }

  // A mean as an integer ReduceSum and a RequantShift by sx / (sy * count).
  bool lowerMean(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    auto x = dequantizedRuntime(node.inputs[0]);
    auto result = quantizedResult(n);
    if (!x || !result) return false;
    const Shape& shape = shapeOf(node.inputs[0]);
    auto axes = meanAxes(node, shape.size());
    if (!axes) return false;
    int64_t count = 1;
    for (int64_t a : *axes) count *= shape[static_cast<size_t>(a)];
    if (count <= 0) return false;
    auto fp = fixedPoint({x->params.scale[0] / (result->params.scale[0] * static_cast<double>(count))},
                         {static_cast<double>(result->params.zeroPoint[0])}, {x->params.zeroPoint[0] * count});
    if (!fp) return false;
    const std::string name = node.name.empty() ? "mean" : node.name;
    const int64_t keepdims = node.op == "GlobalAveragePool" ? 1 : node.attrs.getInt("keepdims", 1);
    TensorId out = retire(n, *result);
    TensorId sum = newTensor(name + "_sum");
    Attributes attrs;
    attrs.set("keepdims", keepdims);
    addNode("ReduceSum", name, {x->q, addConstant(name + "_axes", TensorData::fromInts(DType::Int64, {static_cast<int64_t>(axes->size())}, *axes))},
            {sum}, std::move(attrs));
    requantizeInto(sum, *fp, {1}, *result, name, out);
    return true;
  }

  // RequantShift from one per-tensor quantization to another: y = zy + (sx / sy) (x - zx).
  std::optional<FixedPoint> conversion(const QuantParams& from, const QuantParams& to) const {
    return fixedPoint({from.scale[0] / to.scale[0]}, {static_cast<double>(to.zeroPoint[0])}, {from.zeroPoint[0]});
  }

  // The op on the quantized values; a RequantShift after it when the output's quantization differs
  // (every one of these ops commutes with an increasing affine map), and before each differing input
  // of a Concat.
  bool lowerDataMovement(int n) {
    const Node& node = graph_.nodes[static_cast<size_t>(n)];
    if (node.op == "MaxPool" && node.outputs.size() > 1 && node.outputs[1] != kNoTensor) return false;
    if (node.op == "Resize" && node.attrs.getString("mode", "nearest") != "nearest") return false;
    if (node.op == "Pad" && node.attrs.getString("mode", "constant") != "constant") return false;
    const size_t quantizedInputs = node.op == "Concat" ? node.inputs.size() : 1;
    std::vector<Quantized> inputs;
    for (size_t i = 0; i < quantizedInputs; ++i) {
      auto q = dequantizedRuntime(node.inputs[i]);
      if (!q) return false;
      inputs.push_back(*q);
    }
    auto result = quantizedResult(n);
    if (!result || !result->absorbed.empty()) return false;
    const QuantParams& source = node.op == "Concat" ? result->params : inputs[0].params;
    auto outputConversion = conversion(source, result->params);
    if (!outputConversion) return false;
    std::optional<TensorId> padValue;
    if (node.op == "Pad") {
      padValue = quantizedPadValue(node, inputs[0].params);
      if (!padValue) return false;
    }
    Node lowered = node;
    const std::string name = node.name.empty() ? node.op : node.name;
    for (size_t i = 0; i < inputs.size(); ++i) {
      lowered.inputs[i] = inputs[i].q;
      if (node.op != "Concat" || inputs[i].params.sameAs(result->params)) continue;
      auto fp = conversion(inputs[i].params, result->params);
      if (!fp) return false;
      TensorId converted = newTensor(name + "_input");
      QuantizedResult target{{}, {}, result->params};
      requantizeInto(inputs[i].q, *fp, {1}, target, name + "_input" + std::to_string(i), converted);
      lowered.inputs[i] = converted;
    }
    if (padValue) {
      lowered.inputs.resize(std::max<size_t>(lowered.inputs.size(), 3), kNoTensor);
      lowered.inputs[2] = *padValue;
      lowered.attrs.erase("value");
    }
    TensorId out = retire(n, *result);
    const bool same = node.op == "Concat" || inputs[0].params.sameAs(result->params);
    TensorId moved = same ? out : newTensor(name + "_moved");
    lowered.outputs = {moved};
    added_.push_back(std::move(lowered));
    if (!same) requantizeInto(moved, *outputConversion, {1}, *result, name, out);
    return true;
  }

  // Pad's constant, a real value, as a constant of the quantized type (nullopt if it does not fit).
  std::optional<TensorId> quantizedPadValue(const Node& pad, const QuantParams& params) {
    double value = pad.attrs.getFloat("value", 0.0);
    if (pad.inputs.size() > 2 && pad.inputs[2] != kNoTensor) {
      const TensorData* given = constantOf(pad, 2);
      if (!given || given->size() != 1) return std::nullopt;
      value = given->getDouble(0);
    }
    const double q = std::nearbyint(value / params.scale[0]) + static_cast<double>(params.zeroPoint[0]);
    if (q < static_cast<double>(params.lowest()) || q > static_cast<double>(params.highest())) return std::nullopt;
    return addConstant(pad.name + "_pad_value", TensorData::scalarInt(params.type, static_cast<int64_t>(q)));
  }

  // QuantizeLinear straight after a DequantizeLinear: a RequantShift between the two quantizations.
  bool lowerRequantization(int n) {
    const Node& quantizer = graph_.nodes[static_cast<size_t>(n)];
    auto x = dequantizedRuntime(quantizer.inputs[0]);
    if (!x || quantizer.outputs.size() != 1) return false;
    TensorId out = quantizer.outputs[0];
    auto params = readParams(quantizer, typeOf(out), shapeOf(out).size());
    if (!params || !params->perTensor() || (params->type != DType::Int8 && params->type != DType::UInt8)) return false;
    auto fp = conversion(x->params, *params);
    if (!fp) return false;
    removed_[static_cast<size_t>(n)] = true;
    QuantizedResult target{{}, {}, *params};
    requantizeInto(x->q, *fp, {1}, target, quantizer.name.empty() ? "requantize" : quantizer.name, out);
    return true;
  }

  Graph& graph_;
  const Graph& typed_;
  std::vector<std::vector<int>> consumers_;
  std::map<TensorId, int> producer_;
  std::vector<bool> removed_;
  std::vector<Node> added_;
  std::vector<std::pair<TensorId, TensorId>> aliases_;
};

bool hasQuantizeLinear(const Graph& graph) {
  return std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.op == "QuantizeLinear"; });
}

}  // namespace

int lowerQuantizedOnnx(Graph& graph) {
  if (!hasQuantizeLinear(graph)) return 0;
  Graph typed = graph;
  inferTypes(typed);
  return QdqLowering(graph, typed).run();
}

}  // namespace deeploy
