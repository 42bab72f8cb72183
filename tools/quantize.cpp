#include "tools/quantize.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>

#include "frontend/npz.h"
#include "frontend/onnx_loader.h"
#include "frontend/onnx_writer.h"
#include "ir/error.h"
#include "ops/interpreter.h"
#include "passes/constant_folding.h"
#include "passes/dead_code.h"
#include "passes/qdq_lowering.h"
#include "passes/requant_fusion.h"
#include "passes/type_inference.h"
#include "tools/driver.h"

namespace deeploy {

namespace {

using Sample = std::vector<TensorData>;  // one value per graph input

// The samples of an npz: array i feeds graph input i; an array of one rank more than the input holds
// its samples along the first axis, otherwise it is a single sample.
std::vector<Sample> readSamples(const Graph& declared, const std::string& path) {
  NamedArrays arrays = readNpz(path);
  if (arrays.size() != declared.inputs.size()) {
    throw Error("'" + path + "' holds " + std::to_string(arrays.size()) + " arrays; the model has " +
                std::to_string(declared.inputs.size()) + " inputs");
  }
  std::optional<int64_t> count;
  std::vector<std::vector<TensorData>> perInput;
  for (size_t i = 0; i < arrays.size(); ++i) {
    const TensorData& a = arrays[i].second;
    const size_t rank = declared.tensor(declared.inputs[i]).shape.size();
    std::vector<TensorData> samples;
    if (a.shape().size() == rank + 1) {
      Shape one(a.shape().begin() + 1, a.shape().end());
      const size_t bytes = a.byteSize() / static_cast<size_t>(std::max<int64_t>(a.shape()[0], 1));
      for (int64_t s = 0; s < a.shape()[0]; ++s) {
        TensorData sample(a.dtype(), one);
        std::copy_n(a.data() + static_cast<size_t>(s) * bytes, bytes, sample.data());
        samples.push_back(std::move(sample));
      }
    } else {
      samples.push_back(a);
    }
    if (count && *count != static_cast<int64_t>(samples.size())) {
      throw Error("'" + path + "': the arrays hold different numbers of samples");
    }
    count = static_cast<int64_t>(samples.size());
    perInput.push_back(std::move(samples));
  }
  if (!count || *count == 0) throw Error("'" + path + "' holds no samples");
  std::vector<Sample> samples(static_cast<size_t>(*count));
  for (auto& input : perInput) {
    for (size_t s = 0; s < input.size(); ++s) samples[s].push_back(std::move(input[s]));
  }
  return samples;
}

// A sample's values converted to the graph inputs' types.
Sample typedSample(const Graph& graph, const Sample& sample) {
  Sample typed;
  for (size_t i = 0; i < sample.size(); ++i) typed.push_back(sample[i].castTo(graph.tensor(graph.inputs[i]).dtype));
  return typed;
}

// The observed range of every float tensor over the calibration samples (always including 0).
struct Ranges {
  std::vector<double> low, high;
};

Ranges calibrate(const Graph& graph, const std::vector<Sample>& samples) {
  Ranges r{std::vector<double>(graph.tensors.size(), 0.0), std::vector<double>(graph.tensors.size(), 0.0)};
  for (const Sample& sample : samples) {
    auto values = interpretAllTensors(graph, typedSample(graph, sample));
    for (size_t t = 0; t < values.size(); ++t) {
      if (!values[t] || !isFloat(values[t]->dtype())) continue;
      for (double v : values[t]->toDoubles()) {
        if (!std::isfinite(v)) continue;
        r.low[t] = std::min(r.low[t], v);
        r.high[t] = std::max(r.high[t], v);
      }
    }
  }
  return r;
}

struct ActivationQuant {
  float scale = 1;
  int64_t zeroPoint = 0;
};

// int8 over [low, high] (which contains 0, so 0 is exactly representable).
ActivationQuant activationQuant(double low, double high) {
  ActivationQuant q;
  q.scale = static_cast<float>(std::max(high - low, 1e-8) / 255.0);
  q.zeroPoint = std::clamp<int64_t>(std::llround(-128.0 - low / static_cast<double>(q.scale)), -128, 127);
  return q;
}

bool isProduct(const std::string& op) { return op == "Conv" || op == "MatMul" || op == "Gemm"; }

// Ops whose float inputs and outputs get QuantizeLinear / DequantizeLinear pairs: those the QDQ
// lowering turns into integer nodes.
bool isQuantizable(const std::string& op) {
  static const std::set<std::string> ops = {"Conv",    "MatMul",    "Gemm",   "Add",     "GlobalAveragePool", "ReduceMean", "MaxPool",
                                            "Reshape", "Flatten",   "Transpose", "Concat", "Squeeze",          "Unsqueeze"};
  return ops.count(op) != 0;
}

// Rewrites a calibrated float graph into the QDQ form the lowering recognises.
class QdqWriter {
 public:
  QdqWriter(Graph& graph, const Ranges& ranges) : graph_(graph), ranges_(ranges) {}

  void run() {
    chooseActivations();
    std::vector<Node> nodes;
    for (TensorId in : graph_.inputs) {
      if (quantized_.count(in)) insertPair(in, nodes, /*isGraphInput=*/true);
    }
    std::vector<Node> original = std::move(graph_.nodes);
    for (Node& node : original) {
      quantizeConstants(node, nodes);
      std::vector<TensorId> outputs = node.outputs;
      nodes.push_back(std::move(node));
      for (TensorId out : outputs) {
        if (out != kNoTensor && quantized_.count(out)) insertPair(out, nodes, false);
      }
    }
    graph_.nodes = std::move(nodes);
    for (auto [from, to] : inputUses_) replaceReadsExcept(from, to);
  }

 private:
  bool isFloatRuntime(TensorId id) const {
    return id != kNoTensor && !graph_.tensor(id).isConstant() && graph_.tensor(id).dtype == DType::Float32;
  }

  // The float activations entering or leaving a quantizable op; a product's result read only by a Relu
  // or Clip, which the lowering absorbs, is quantized after that activation instead.
  void chooseActivations() {
    auto consumers = graph_.consumers();
    for (const Node& node : graph_.nodes) {
      if (!isQuantizable(node.op)) continue;
      const size_t dataInputs = node.op == "Concat" || node.op == "Add" || node.op == "MatMul" ? node.inputs.size() : 1;
      for (size_t i = 0; i < dataInputs && i < node.inputs.size(); ++i) {
        if (isFloatRuntime(node.inputs[i])) quantized_.insert(node.inputs[i]);
      }
      TensorId out = node.outputs.empty() ? kNoTensor : node.outputs[0];
      if (!isFloatRuntime(out)) continue;
      const auto& readers = consumers[static_cast<size_t>(out)];
      const Node* activation = readers.size() == 1 ? &graph_.nodes[static_cast<size_t>(readers[0])] : nullptr;
      if (isProduct(node.op) && activation && !graph_.isGraphOutput(out) && (activation->op == "Relu" || activation->op == "Clip") &&
          isFloatRuntime(activation->outputs[0])) {
        out = activation->outputs[0];
      }
      quantized_.insert(out);
    }
    for (TensorId t : quantized_) params_[t] = activationQuant(ranges_.low[static_cast<size_t>(t)], ranges_.high[static_cast<size_t>(t)]);
  }

  TensorId constant(const std::string& hint, TensorData value) { return graph_.addConstant(hint, std::move(value)); }

  TensorId newTensor(const std::string& name) {
    Tensor t;
    t.name = graph_.uniqueTensorName(name);
    return graph_.addTensor(std::move(t));
  }

  Node makeNode(const std::string& op, const std::string& name, std::vector<TensorId> inputs, TensorId output, int64_t axis = -1) {
    Node node;
    node.op = op;
    node.name = graph_.uniqueTensorName(name);
    node.inputs = std::move(inputs);
    node.outputs = {output};
    if (axis >= 0) node.attrs.set("axis", axis);
    return node;
  }

  // QuantizeLinear and DequantizeLinear after the producer of `t`: the producer writes a new float
  // tensor and the DequantizeLinear writes `t` (names and graph outputs stay). A graph input keeps its
  // tensor; its readers move to the DequantizeLinear's output.
  void insertPair(TensorId t, std::vector<Node>& nodes, bool isGraphInput) {
    const ActivationQuant& p = params_.at(t);
    const std::string base = graph_.tensor(t).name;
    TensorId scale = constant(base + "_scale", TensorData::fromDoubles(DType::Float32, {}, std::vector<double>{p.scale}));
    TensorId zero = constant(base + "_zero_point", TensorData::scalarInt(DType::Int8, p.zeroPoint));
    TensorId source = t, target = t;
    if (isGraphInput) {
      target = newTensor(base + "_dequantized");
      inputUses_.push_back({t, target});
    } else {
      source = newTensor(base + "_float");
      for (TensorId& out : nodes.back().outputs) {
        if (out == t) out = source;
      }
    }
    TensorId q = newTensor(base + "_quantized");
    nodes.push_back(makeNode("QuantizeLinear", base + "_quantize", {source, scale, zero}, q));
    nodes.push_back(makeNode("DequantizeLinear", base + "_dequantize", {q, scale, zero}, target));
  }

  void replaceReadsExcept(TensorId from, TensorId to) {
    for (Node& node : graph_.nodes) {
      if (node.op == "QuantizeLinear" && !node.inputs.empty() && node.inputs[0] == from) continue;
      for (TensorId& in : node.inputs) {
        if (in == from) in = to;
      }
    }
  }

  // The activation parameters of a product's input, if it was chosen for quantization.
  const ActivationQuant* inputParams(const Node& node) const {
    auto it = params_.find(node.inputs[0]);
    return it == params_.end() ? nullptr : &it->second;
  }

  // Constant operands of quantized ops: product weights per output channel (int8, symmetric) and their
  // biases (int32 at input scale x weight scale); an Add's constant per tensor like an activation.
  void quantizeConstants(Node& node, std::vector<Node>& nodes) {
    if (isProduct(node.op)) {
      const ActivationQuant* input = inputParams(node);
      const TensorData* w = node.inputs.size() > 1 ? constantFloat(node.inputs[1]) : nullptr;
      if (!input || !w) return;
      const bool gemmTransB = node.op == "Gemm" && node.attrs.getInt("transB", 0) != 0;
      const size_t axis = node.op == "Conv" || gemmTransB ? 0 : w->shape().size() - 1;
      if (node.op != "Conv" && w->shape().size() != 2) return;
      std::vector<double> weightScales;
      node.inputs[1] = weightsBehindDequantize(*w, axis, graph_.tensor(node.inputs[1]).name, nodes, weightScales);
      if (node.inputs.size() > 2 && constantFloat(node.inputs[2])) {
        const double beta = node.op == "Gemm" ? node.attrs.getFloat("beta", 1.0) : 1.0;
        auto bias = biasBehindDequantize(*constantFloat(node.inputs[2]), input->scale, weightScales, beta,
                                         graph_.tensor(node.inputs[2]).name, nodes);
        if (bias) {
          node.inputs[2] = *bias;
          if (node.op == "Gemm") node.attrs.set("beta", 1.0);
        }
      }
      return;
    }
    if (node.op != "Add") return;
    for (TensorId& in : node.inputs) {
      const TensorData* value = constantFloat(in);
      if (!value) continue;
      auto [low, high] = valueRange(*value);
      ActivationQuant p = activationQuant(low, high);
      std::vector<int64_t> q;
      for (double v : value->toDoubles()) q.push_back(std::clamp<int64_t>(std::llround(v / p.scale) + p.zeroPoint, -128, 127));
      const std::string base = graph_.tensor(in).name;
      TensorId qId = constant(base + "_quantized", TensorData::fromInts(DType::Int8, value->shape(), q));
      TensorId out = newTensor(base + "_dequantized");
      nodes.push_back(makeNode("DequantizeLinear", base + "_dequantize",
                               {qId, constant(base + "_scale", TensorData::fromDoubles(DType::Float32, {}, std::vector<double>{p.scale})),
                                constant(base + "_zero_point", TensorData::scalarInt(DType::Int8, p.zeroPoint))},
                               out));
      in = out;
    }
  }

  const TensorData* constantFloat(TensorId id) const {
    if (id == kNoTensor || !graph_.tensor(id).isConstant()) return nullptr;
    const TensorData& v = *graph_.tensor(id).constant;
    return v.dtype() == DType::Float32 ? &v : nullptr;
  }

  static std::pair<double, double> valueRange(const TensorData& value) {
    double low = 0, high = 0;
    for (double v : value.toDoubles()) low = std::min(low, v), high = std::max(high, v);
    return {low, high};
  }

  // `base` is a copy: the constants added here may move the tensor whose name it is.
  TensorId weightsBehindDequantize(const TensorData& w, size_t axis, std::string base, std::vector<Node>& nodes,
                                   std::vector<double>& scales) {
    const Shape& shape = w.shape();
    int64_t inner = 1;
    for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
    const int64_t channels = shape[axis];
    std::vector<double> values = w.toDoubles(), maxAbs(static_cast<size_t>(channels), 0.0);
    auto channelOf = [&](size_t i) { return static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels); };
    for (size_t i = 0; i < values.size(); ++i) maxAbs[channelOf(i)] = std::max(maxAbs[channelOf(i)], std::fabs(values[i]));
    scales.clear();
    for (double m : maxAbs) scales.push_back(static_cast<float>(m > 0 ? m / 127.0 : 1.0));
    std::vector<int64_t> q(values.size());
    for (size_t i = 0; i < values.size(); ++i) q[i] = std::clamp<int64_t>(std::llround(values[i] / scales[channelOf(i)]), -127, 127);
    TensorId qId = constant(base + "_quantized", TensorData::fromInts(DType::Int8, shape, q));
    TensorId scaleId = constant(base + "_scale", TensorData::fromDoubles(DType::Float32, {channels}, scales));
    TensorId zeroId = constant(base + "_zero_point", TensorData(DType::Int8, {channels}));
    TensorId out = newTensor(base + "_dequantized");
    nodes.push_back(makeNode("DequantizeLinear", base + "_dequantize", {qId, scaleId, zeroId}, out, static_cast<int64_t>(axis)));
    return out;
  }

  // `base` is a copy, as in weightsBehindDequantize.
  std::optional<TensorId> biasBehindDequantize(const TensorData& bias, float inputScale, const std::vector<double>& weightScales,
                                               double beta, std::string base, std::vector<Node>& nodes) {
    if (bias.shape().size() > 2 || (bias.size() != static_cast<int64_t>(weightScales.size()) && bias.size() != 1)) return std::nullopt;
    std::vector<double> scales;
    std::vector<int64_t> q;
    for (size_t c = 0; c < weightScales.size(); ++c) {
      const double scale = static_cast<float>(static_cast<double>(inputScale) * weightScales[c]);
      const double value = beta * bias.getDouble(bias.size() == 1 ? 0 : static_cast<int64_t>(c));
      const double quantized = std::nearbyint(value / scale);
      if (std::fabs(quantized) > 2147483647.0) return std::nullopt;
      scales.push_back(scale);
      q.push_back(static_cast<int64_t>(quantized));
    }
    const int64_t n = static_cast<int64_t>(q.size());
    TensorId qId = constant(base + "_quantized", TensorData::fromInts(DType::Int32, {n}, q));
    TensorId scaleId = constant(base + "_scale", TensorData::fromDoubles(DType::Float32, {n}, scales));
    TensorId zeroId = constant(base + "_zero_point", TensorData(DType::Int32, {n}));
    TensorId out = newTensor(base + "_dequantized");
    nodes.push_back(makeNode("DequantizeLinear", base + "_dequantize", {qId, scaleId, zeroId}, out, 0));
    return out;
  }

  Graph& graph_;
  const Ranges& ranges_;
  std::set<TensorId> quantized_;
  std::map<TensorId, ActivationQuant> params_;
  std::vector<std::pair<TensorId, TensorId>> inputUses_;
};

// The integer dialect: the QDQ graph lowered, typed, with requantizations fused into their products.
void lowerToIntegerDialect(Graph& graph) {
  lowerQuantizedOnnx(graph);
  removeDeadNodes(graph);
  inferTypes(graph);
  fuseRequantization(graph);
  foldConstants(graph);
  removeDeadNodes(graph);
}

std::vector<OutputError> measure(const Graph& floatGraph, const Graph& quantized, const std::vector<Sample>& samples) {
  std::vector<OutputError> errors(floatGraph.outputs.size());
  for (const Sample& sample : samples) {
    const Sample typed = typedSample(floatGraph, sample);
    std::vector<TensorData> want = interpretGraph(floatGraph, typed), got = interpretGraph(quantized, typed);
    for (size_t o = 0; o < want.size(); ++o) {
      OutputError& e = errors[o];
      std::vector<double> w = want[o].toDoubles(), g = got[o].toDoubles();
      for (size_t i = 0; i < w.size(); ++i) {
        e.maxAbs = std::max(e.maxAbs, std::fabs(w[i] - g[i]));
        e.sumSquares += (w[i] - g[i]) * (w[i] - g[i]);
        e.floatMaxAbs = std::max(e.floatMaxAbs, std::fabs(w[i]));
      }
      e.count += static_cast<int64_t>(w.size());
      const Shape& shape = want[o].shape();
      const int64_t width = shape.empty() ? 1 : shape.back();
      for (int64_t r = 0; width > 1 && r < static_cast<int64_t>(w.size()) / width; ++r) {
        auto row = [&](const std::vector<double>& v) { return std::max_element(v.begin() + r * width, v.begin() + (r + 1) * width) - v.begin(); };
        e.argmaxAgree += row(w) == row(g) ? 1 : 0;
        ++e.rows;
      }
    }
  }
  return errors;
}

void printErrors(const Graph& graph, const std::vector<OutputError>& errors, const std::string& set, size_t samples) {
  for (size_t o = 0; o < errors.size(); ++o) {
    const OutputError& e = errors[o];
    std::cout << set << " (" << samples << " samples) output '" << graph.tensor(graph.outputs[o]).name << "': max |error| "
              << std::setprecision(4) << e.maxAbs << ", rms " << e.rms() << " (float outputs up to " << e.floatMaxAbs << ")";
    if (e.rows > 0) std::cout << ", argmax agrees on " << e.argmaxAgree << " of " << e.rows << " rows";
    std::cout << "\n";
  }
}

}  // namespace

double OutputError::rms() const { return std::sqrt(sumSquares / static_cast<double>(std::max<int64_t>(count, 1))); }

QuantizeReport quantizeModel(const QuantizeCommand& cmd) {
  const Graph declared = loadOnnxModel(cmd.model);
  const std::vector<Sample> calibration = readSamples(declared, cmd.calibration);
  NamedArrays first;
  for (size_t i = 0; i < calibration[0].size(); ++i) first.push_back({"arr_" + std::to_string(i), calibration[0][i]});
  Graph floatGraph = loadTypedModel(cmd.model, first);
  inferTypes(floatGraph);
  for (TensorId in : floatGraph.inputs) {
    if (floatGraph.tensor(in).dtype != DType::Float32) {
      throw Error("input '" + floatGraph.tensor(in).name + "' is " + std::string(dtypeName(floatGraph.tensor(in).dtype)) +
                  "; deeploy quantize takes float32 networks");
    }
  }
  QuantizeReport report;
  report.quantized = floatGraph;
  QdqWriter(report.quantized, calibrate(floatGraph, calibration)).run();
  lowerToIntegerDialect(report.quantized);
  saveOnnxModel(report.quantized, cmd.output);
  report.calibrationSamples = calibration.size();
  report.calibration = measure(floatGraph, report.quantized, calibration);
  if (cmd.validation) {
    const std::vector<Sample> validation = readSamples(declared, *cmd.validation);
    report.validationSamples = validation.size();
    report.validation = measure(floatGraph, report.quantized, validation);
  }
  return report;
}

int runQuantize(const QuantizeCommand& cmd) {
  const QuantizeReport report = quantizeModel(cmd);
  std::map<std::string, int> ops;
  for (const Node& node : report.quantized.nodes) ++ops[node.op];
  std::cout << "wrote " << cmd.output << ": " << report.quantized.nodes.size() << " nodes (";
  for (auto it = ops.begin(); it != ops.end(); ++it) std::cout << (it == ops.begin() ? "" : ", ") << it->second << " " << it->first;
  std::cout << ")\n";
  printErrors(report.quantized, report.calibration, "calibration", report.calibrationSamples);
  if (cmd.validation) printErrors(report.quantized, report.validation, "validation", report.validationSamples);
  return 0;
}

}  // namespace deeploy
