// Float normalizations (ONNX semantics unless noted); statistics are biased (divide by the count):
// - LayerNormalization(X, Scale, B?) over the axes from `axis` (default -1) on, epsilon (1e-5):
//   Y = (X - mean) / sqrt(var + epsilon) * Scale + B; Scale and B broadcast over the normalized axes.
//   Optional outputs Mean and InvStdDev keep X's shape with the normalized axes set to 1.
// - GroupNormalization(X, scale, bias), num_groups, epsilon: statistics over each group of channels;
//   scale and bias hold one value per channel (opset 21) or per group (opset 18).
// - InstanceNormalization(X, scale, bias), epsilon: statistics per (batch, channel).
// - BatchNormalization(X, scale, B, mean, var), epsilon, inference mode only.
// - RMSNorm(X, weight) (Deeploy's fused operator), eps or epsilon (default 1e-6), axis (default -1):
//   Y = X / sqrt(mean(X^2) + eps) * weight over the axes from `axis` on.
// The C kernels compute in float32.
#include <cmath>
#include <cstdio>

#include "ops/op_helpers.h"

namespace deeploy {

namespace {

std::string floatLiteral(double v) {
  char text[48];
  std::snprintf(text, sizeof text, "%af", static_cast<double>(static_cast<float>(v)));
  return text;
}

void requireFloat32ForC(const KernelEmitter& e) {
  for (size_t i = 0; i < e.node().inputs.size(); ++i) {
    if (e.hasInput(i) && e.input(i).dtype != DType::Float32) {
      throw Error(e.node().describe() + ": the C kernel takes float32 tensors, input " + std::to_string(i) + " is " +
                  std::string(dtypeName(e.input(i).dtype)));
    }
  }
}

void requireFloatInputs(const InferContext& ctx) {
  for (size_t i = 0; i < ctx.inputCount(); ++i) {
    if (ctx.hasInput(i)) {
      ctx.require(isFloat(ctx.inputType(i)), "input " + std::to_string(i) + " must be a float tensor, got " +
                                                 std::string(dtypeName(ctx.inputType(i))));
    }
  }
}

// ---- Normalization over trailing axes (LayerNormalization, RMSNorm) ----

struct TrailingBlocks {
  int64_t axis;
  int64_t rows, cols;  // rows blocks of cols contiguous values
  Shape block;         // the normalized dimensions
};

TrailingBlocks trailingBlocks(const Shape& x, int64_t axis) {
  int64_t rank = static_cast<int64_t>(x.size());
  TrailingBlocks t;
  t.axis = axis < 0 ? axis + rank : axis;
  t.block.assign(x.begin() + t.axis, x.end());
  t.cols = elementCount(t.block);
  t.rows = elementCount(Shape(x.begin(), x.begin() + t.axis));
  return t;
}

// Unidirectional broadcast of a parameter onto the normalized dimensions.
bool broadcastsOnto(const Shape& param, const Shape& block) {
  if (param.size() > block.size()) {
    for (size_t d = 0; d < param.size() - block.size(); ++d) {
      if (param[d] != 1) return false;
    }
  }
  for (size_t d = 1; d <= std::min(param.size(), block.size()); ++d) {
    int64_t p = param[param.size() - d], b = block[block.size() - d];
    if (p != b && p != 1) return false;
  }
  return true;
}

int64_t trailingAxis(InferContext& ctx, const std::string& name, int64_t fallback) {
  int64_t rank = static_cast<int64_t>(ctx.inputShape(0).size());
  ctx.require(rank >= 1, "expects an input of rank >= 1");
  return normalizeAxis(ctx, ctx.attrs().getInt(name, fallback), rank);
}

void requireBlockParameter(InferContext& ctx, size_t input, const Shape& block, const std::string& role) {
  if (!ctx.hasInput(input)) return;
  ctx.require(broadcastsOnto(ctx.inputShape(input), block), role + " of shape " + shapeToString(ctx.inputShape(input)) +
                                                               " does not broadcast onto the normalized shape " +
                                                               shapeToString(block));
}

// Value of a block parameter for element j of a normalized block (reference side).
double blockParameter(const TensorData& param, const Shape& block, int64_t j) {
  return param.getDouble(broadcastOffset(j, block, broadcastStrides(param.shape(), block)));
}

// Pointer and step of a parameter read per element of the normalized block (C side): the tensor itself
// when it holds the whole block or one value, otherwise an expanded constant copy.
std::pair<std::string, std::string> blockParameterArgument(KernelEmitter& e, size_t input, const Shape& block) {
  const Tensor& p = e.input(input);
  if (p.elementCount() == elementCount(block)) return {e.inputPtr(input), "1"};
  if (p.elementCount() == 1) return {e.inputPtr(input), "0"};
  if (!p.constant) {
    throw Error(e.node().describe() + ": input " + std::to_string(input) + " of shape " + shapeToString(p.shape) +
                " broadcasts partially over the normalized shape " + shapeToString(block) +
                "; the C kernel needs such a parameter to be constant");
  }
  TensorData expanded(DType::Float32, block);
  for (int64_t j = 0; j < expanded.size(); ++j) expanded.setDouble(j, blockParameter(*p.constant, block, j));
  return {e.constant(expanded, p.name + "_expanded"), "1"};
}

void inferLayerNorm(InferContext& ctx) {
  ctx.requireInputs(2, 3);
  requireFloatInputs(ctx);
  TrailingBlocks t = trailingBlocks(ctx.inputShape(0), trailingAxis(ctx, "axis", -1));
  requireBlockParameter(ctx, 1, t.block, "Scale");
  requireBlockParameter(ctx, 2, t.block, "B");
  ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
  Shape statistics = ctx.inputShape(0);
  for (size_t d = static_cast<size_t>(t.axis); d < statistics.size(); ++d) statistics[d] = 1;
  ctx.setOutput(1, DType::Float32, statistics);
  ctx.setOutput(2, DType::Float32, statistics);
}

bool hasStatistics(const EvalArgs& args, size_t output) {
  return output < args.outputs.size() && args.outputs[output]->dtype() != DType::Undefined;
}

void evaluateLayerNorm(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TrailingBlocks t = trailingBlocks(x.shape(), args.attrs().getInt("axis", -1));
  double eps = args.attrs().getFloat("epsilon", 1e-5);
  for (int64_t r = 0; r < t.rows; ++r) {
    int64_t base = r * t.cols;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < t.cols; ++j) mean += x.getDouble(base + j);
    mean /= static_cast<double>(t.cols);
    for (int64_t j = 0; j < t.cols; ++j) var += (x.getDouble(base + j) - mean) * (x.getDouble(base + j) - mean);
    double invstd = 1.0 / std::sqrt(var / static_cast<double>(t.cols) + eps);
    for (int64_t j = 0; j < t.cols; ++j) {
      double v = (x.getDouble(base + j) - mean) * invstd * blockParameter(args.in(1), t.block, j);
      if (args.has(2)) v += blockParameter(args.in(2), t.block, j);
      args.out(0).setDouble(base + j, v);
    }
    if (hasStatistics(args, 1)) args.out(1).setDouble(r, mean);
    if (hasStatistics(args, 2)) args.out(2).setDouble(r, invstd);
  }
}

bool hasOutput(const KernelEmitter& e, size_t i) { return i < e.node().outputs.size() && e.node().outputs[i] != kNoTensor; }

void emitLayerNorm(KernelEmitter& e) {
  requireFloat32ForC(e);
  TrailingBlocks t = trailingBlocks(e.input(0).shape, e.attrs().getInt("axis", -1));
  if (t.rows * t.cols == 0 && !hasOutput(e, 1) && !hasOutput(e, 2)) return;
  auto [scale, scaleStep] = blockParameterArgument(e, 1, t.block);
  std::string bias = "NULL", biasStep = "0";
  if (e.hasInput(2)) std::tie(bias, biasStep) = blockParameterArgument(e, 2, t.block);
  e.include("kernels/norm.h");
  e.statement(cCall("dp_layernorm_f32", {e.inputPtr(0), scale, scaleStep, bias, biasStep, e.outputPtr(0),
                                         hasOutput(e, 1) ? e.outputPtr(1) : "NULL",
                                         hasOutput(e, 2) ? e.outputPtr(2) : "NULL", std::to_string(t.rows),
                                         std::to_string(t.cols), floatLiteral(e.attrs().getFloat("epsilon", 1e-5))}));
}

double rmsEpsilon(const Attributes& attrs) { return attrs.getFloat("eps", attrs.getFloat("epsilon", 1e-6)); }

void inferRMSNorm(InferContext& ctx) {
  ctx.requireInputs(2, 2);
  requireFloatInputs(ctx);
  TrailingBlocks t = trailingBlocks(ctx.inputShape(0), trailingAxis(ctx, "axis", -1));
  requireBlockParameter(ctx, 1, t.block, "weight");
  ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
}

void evaluateRMSNorm(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  TrailingBlocks t = trailingBlocks(x.shape(), args.attrs().getInt("axis", -1));
  double eps = rmsEpsilon(args.attrs());
  for (int64_t r = 0; r < t.rows; ++r) {
    int64_t base = r * t.cols;
    double squares = 0;
    for (int64_t j = 0; j < t.cols; ++j) squares += x.getDouble(base + j) * x.getDouble(base + j);
    double rms = std::sqrt(squares / static_cast<double>(t.cols) + eps);
    for (int64_t j = 0; j < t.cols; ++j) {
      args.out(0).setDouble(base + j, x.getDouble(base + j) / rms * blockParameter(args.in(1), t.block, j));
    }
  }
}

void emitRMSNorm(KernelEmitter& e) {
  requireFloat32ForC(e);
  TrailingBlocks t = trailingBlocks(e.input(0).shape, e.attrs().getInt("axis", -1));
  if (t.rows * t.cols == 0) return;
  auto [weight, weightStep] = blockParameterArgument(e, 1, t.block);
  e.include("kernels/norm.h");
  e.statement(cCall("dp_rmsnorm_f32", {e.inputPtr(0), weight, weightStep, e.outputPtr(0), std::to_string(t.rows),
                                       std::to_string(t.cols), floatLiteral(rmsEpsilon(e.attrs()))}));
}

// ---- Normalization per channel group of N x C x spatial tensors ----

struct ChannelLayout {
  int64_t batch, channels, spatial;
};

ChannelLayout channelLayout(const Shape& x) {
  return {x[0], x[1], elementCount(Shape(x.begin() + 2, x.end()))};
}

void requireChannelInput(InferContext& ctx) {
  ctx.require(ctx.inputShape(0).size() >= 2, "expects an N x C x ... input, got " + shapeToString(ctx.inputShape(0)));
}

void requirePerChannel(InferContext& ctx, size_t input, const std::string& role) {
  int64_t channels = ctx.inputShape(0)[1];
  ctx.require(ctx.inputShape(input).size() == 1 && ctx.inputShape(input)[0] == channels,
              role + " must have shape [" + std::to_string(channels) + "], got " + shapeToString(ctx.inputShape(input)));
}

// Channels sharing one scale/bias value: 1 when they are per channel, C / num_groups when per group.
int64_t channelsPerParameter(int64_t channels, int64_t parameters) { return parameters == channels ? 1 : channels / parameters; }

void inferGroupNorm(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  requireFloatInputs(ctx);
  requireChannelInput(ctx);
  ctx.require(ctx.attrs().has("num_groups"), "the num_groups attribute is required");
  int64_t groups = ctx.attrs().getInt("num_groups"), channels = ctx.inputShape(0)[1];
  ctx.require(groups >= 1 && channels % groups == 0,
              "num_groups " + std::to_string(groups) + " does not divide the " + std::to_string(channels) + " channels");
  for (size_t i : {size_t{1}, size_t{2}}) {
    const Shape& s = ctx.inputShape(i);
    ctx.require(s.size() == 1 && (s[0] == channels || s[0] == groups),
                std::string(i == 1 ? "scale" : "bias") + " must hold one value per channel (" + std::to_string(channels) +
                    ") or per group (" + std::to_string(groups) + "), got shape " + shapeToString(s));
  }
  ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
}

void inferInstanceNorm(InferContext& ctx) {
  ctx.requireInputs(3, 3);
  requireFloatInputs(ctx);
  requireChannelInput(ctx);
  requirePerChannel(ctx, 1, "scale");
  requirePerChannel(ctx, 2, "B");
  ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
}

// Reference for GroupNormalization and InstanceNormalization (groups = channels).
void evaluateGroups(const EvalArgs& args, int64_t groups, double eps) {
  const TensorData& x = args.in(0);
  if (x.size() == 0) return;
  ChannelLayout l = channelLayout(x.shape());
  int64_t groupChannels = l.channels / groups, block = groupChannels * l.spatial;
  int64_t scaleShare = channelsPerParameter(l.channels, args.in(1).size());
  int64_t biasShare = channelsPerParameter(l.channels, args.in(2).size());
  for (int64_t b = 0; b < l.batch; ++b) {
    for (int64_t g = 0; g < groups; ++g) {
      int64_t base = (b * groups + g) * block;
      double mean = 0, var = 0;
      for (int64_t j = 0; j < block; ++j) mean += x.getDouble(base + j);
      mean /= static_cast<double>(block);
      for (int64_t j = 0; j < block; ++j) var += (x.getDouble(base + j) - mean) * (x.getDouble(base + j) - mean);
      double invstd = 1.0 / std::sqrt(var / static_cast<double>(block) + eps);
      for (int64_t j = 0; j < block; ++j) {
        int64_t channel = g * groupChannels + j / l.spatial;
        double v = (x.getDouble(base + j) - mean) * invstd * args.in(1).getDouble(channel / scaleShare) +
                   args.in(2).getDouble(channel / biasShare);
        args.out(0).setDouble(base + j, v);
      }
    }
  }
}

void emitGroups(KernelEmitter& e, int64_t groups, double eps) {
  requireFloat32ForC(e);
  const Shape& x = e.input(0).shape;
  if (elementCount(x) == 0) return;
  ChannelLayout l = channelLayout(x);
  int64_t scaleShare = channelsPerParameter(l.channels, e.input(1).elementCount());
  if (scaleShare != channelsPerParameter(l.channels, e.input(2).elementCount())) {
    throw Error(e.node().describe() + ": the C kernel needs scale and bias both per channel or both per group");
  }
  e.include("kernels/norm.h");
  e.statement(cCall("dp_groupnorm_f32", {e.inputPtr(0), e.inputPtr(1), e.inputPtr(2), e.outputPtr(0), std::to_string(l.batch),
                                         std::to_string(l.channels), std::to_string(groups), std::to_string(l.spatial),
                                         std::to_string(scaleShare), floatLiteral(eps)}));
}

void inferBatchNorm(InferContext& ctx) {
  ctx.requireInputs(5, 5);
  requireFloatInputs(ctx);
  requireChannelInput(ctx);
  ctx.require(ctx.attrs().getInt("training_mode", 0) == 0, "training_mode is not supported (inference only)");
  ctx.require(ctx.attrs().getInt("spatial", 1) != 0, "spatial = 0 (per-element statistics) is not supported");
  for (size_t o = 1; o < ctx.outputCount(); ++o) {
    ctx.require(ctx.node().outputs[o] == kNoTensor, "running statistics outputs exist only in training mode");
  }
  const char* roles[] = {"", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i < 5; ++i) requirePerChannel(ctx, i, roles[i]);
  ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
}

void evaluateBatchNorm(const EvalArgs& args) {
  const TensorData& x = args.in(0);
  ChannelLayout l = channelLayout(x.shape());
  double eps = args.attrs().getFloat("epsilon", 1e-5);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t c = (i / l.spatial) % l.channels;
    double normalized = (x.getDouble(i) - args.in(3).getDouble(c)) / std::sqrt(args.in(4).getDouble(c) + eps);
    args.out(0).setDouble(i, normalized * args.in(1).getDouble(c) + args.in(2).getDouble(c));
  }
}

void emitBatchNorm(KernelEmitter& e) {
  requireFloat32ForC(e);
  const Shape& x = e.input(0).shape;
  if (elementCount(x) == 0) return;
  ChannelLayout l = channelLayout(x);
  e.include("kernels/norm.h");
  e.statement(cCall("dp_batchnorm_f32", {e.inputPtr(0), e.inputPtr(1), e.inputPtr(2), e.inputPtr(3), e.inputPtr(4),
                                         e.outputPtr(0), std::to_string(l.batch), std::to_string(l.channels),
                                         std::to_string(l.spatial), floatLiteral(e.attrs().getFloat("epsilon", 1e-5))}));
}

// ---- Tiling: the axes a node takes statistics over stay whole; per-channel parameters follow axis 1 ----

size_t inputRank(const Graph& graph, const Node& node) { return graph.tensor(node.inputs.at(0)).shape.size(); }

// LayerNormalization and RMSNorm: blocks are independent; Scale and B (broadcast onto a block) are read
// whole; the statistics outputs follow the leading axes.
TilingGeometry trailingNormGeometry(const Graph& graph, const Node& node) {
  const size_t rank = inputRank(graph, node);
  const int64_t axis = trailingBlocks(graph.tensor(node.inputs[0]).shape, node.attrs.getInt("axis", -1)).axis;
  TilingGeometry g = sameShapeGeometry(graph, node, axesFrom(axis, rank));
  for (size_t o = 1; o < node.outputs.size(); ++o) {
    if (node.outputs[o] == kNoTensor) continue;
    for (int64_t a = 0; a < axis; ++a) g.outputs[o][static_cast<size_t>(a)] = AxisMap::follow(static_cast<int>(a));
  }
  return g;
}

// A group's statistics span its channels and the spatial axes, and num_groups counts the channels'
// groups: only the batch axis splits.
TilingGeometry groupNormGeometry(const Graph& graph, const Node& node) {
  return sameShapeGeometry(graph, node, axesFrom(1, inputRank(graph, node)));
}

// Every input after X holds one value per channel: a tile reads its channels' values.
TilingGeometry perChannelGeometry(const Graph& graph, const Node& node, const std::vector<int>& keepWhole) {
  TilingGeometry g = sameShapeGeometry(graph, node, keepWhole);
  for (size_t i = 1; i < node.inputs.size(); ++i) g.inputs[i] = {AxisMap::follow(1)};
  return g;
}

// Statistics per (batch, channel): the spatial axes stay whole.
TilingGeometry instanceNormGeometry(const Graph& graph, const Node& node) {
  return perChannelGeometry(graph, node, axesFrom(2, inputRank(graph, node)));
}

// Inference mode uses no statistics of X: every axis splits.
TilingGeometry batchNormGeometry(const Graph& graph, const Node& node) { return perChannelGeometry(graph, node, {}); }

OpSchema schema(const std::string& name, std::function<void(InferContext&)> infer, std::function<void(const EvalArgs&)> evaluate,
                std::function<void(KernelEmitter&)> emit, std::function<TilingGeometry(const Graph&, const Node&)> tiling) {
  OpSchema s;
  s.name = name;
  s.infer = std::move(infer);
  s.evaluate = std::move(evaluate);
  s.emit = std::move(emit);
  s.tiling = std::move(tiling);
  return s;
}

const OpRegistrar registrar{
    schema("LayerNormalization", inferLayerNorm, evaluateLayerNorm, emitLayerNorm, trailingNormGeometry),
    schema("RMSNorm", inferRMSNorm, evaluateRMSNorm, emitRMSNorm, trailingNormGeometry),
    schema("GroupNormalization", inferGroupNorm,
           [](const EvalArgs& a) { evaluateGroups(a, a.attrs().getInt("num_groups"), a.attrs().getFloat("epsilon", 1e-5)); },
           [](KernelEmitter& e) { emitGroups(e, e.attrs().getInt("num_groups"), e.attrs().getFloat("epsilon", 1e-5)); },
           groupNormGeometry),
    schema("InstanceNormalization", inferInstanceNorm,
           [](const EvalArgs& a) { evaluateGroups(a, a.in(0).shape()[1], a.attrs().getFloat("epsilon", 1e-5)); },
           [](KernelEmitter& e) { emitGroups(e, e.input(0).shape[1], e.attrs().getFloat("epsilon", 1e-5)); },
           instanceNormGeometry),
    schema("BatchNormalization", inferBatchNorm, evaluateBatchNorm, emitBatchNorm, batchNormGeometry),
};

}  // namespace

}  // namespace deeploy
