#include "frontend/onnx_loader.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "ir/error.h"

namespace deeploy {

namespace {

DType fromOnnxType(int32_t t) {
  switch (t) {
    case onnx::TensorProto::BOOL: return DType::Bool;
    case onnx::TensorProto::INT8: return DType::Int8;
    case onnx::TensorProto::UINT8: return DType::UInt8;
    case onnx::TensorProto::INT16: return DType::Int16;
    case onnx::TensorProto::UINT16: return DType::UInt16;
    case onnx::TensorProto::INT32: return DType::Int32;
    case onnx::TensorProto::UINT32: return DType::UInt32;
    case onnx::TensorProto::INT64: return DType::Int64;
    case onnx::TensorProto::UINT64: return DType::UInt64;
    case onnx::TensorProto::BFLOAT16: return DType::BFloat16;
    case onnx::TensorProto::FLOAT: return DType::Float32;
    case onnx::TensorProto::DOUBLE: return DType::Float64;
    default: return DType::Undefined;
  }
}

// The length of the typed field holding a tensor's values when it has no raw data (bfloat16 travels in
// int32_data).
int64_t repeatedValueCount(const onnx::TensorProto& proto, DType dtype) {
  switch (dtype) {
    case DType::Float32: return proto.float_data_size();
    case DType::Float64: return proto.double_data_size();
    case DType::Int64: return proto.int64_data_size();
    case DType::UInt32:
    case DType::UInt64: return proto.uint64_data_size();
    default: return proto.int32_data_size();
  }
}

// Checked before the tensor is allocated, so that a few bytes of file cannot ask for gigabytes.
void requireStoredValues(const onnx::TensorProto& proto, DType dtype, const Shape& shape, int64_t elements) {
  const std::string& name = proto.name();
  if (proto.has_raw_data()) {
    const uint64_t expectedBytes = static_cast<uint64_t>(elements) * dtypeSize(dtype);
    if (proto.raw_data().size() != expectedBytes) {
      throw Error("tensor '" + name + "' has " + std::to_string(proto.raw_data().size()) + " bytes of data, expected " +
                  std::to_string(expectedBytes));
    }
  } else if (const int64_t stored = repeatedValueCount(proto, dtype); stored != elements) {
    throw Error("tensor '" + name + "' holds " + std::to_string(stored) + " values for shape " + shapeToString(shape));
  }
}

template <typename Repeated>
void fillFromRepeated(TensorData& out, const Repeated& values) {
  for (int64_t i = 0; i < out.size(); ++i) {
    if constexpr (std::is_floating_point_v<std::decay_t<decltype(values.Get(0))>>) {
      out.setDouble(i, values.Get(static_cast<int>(i)));
    } else {
      out.setInt(i, static_cast<int64_t>(values.Get(static_cast<int>(i))));
    }
  }
}

}  // namespace

static TensorData tensorFromProto(const onnx::TensorProto& proto) {
  const std::string& name = proto.name();
  DType dtype = fromOnnxType(proto.data_type());
  if (dtype == DType::Undefined) {
    throw Error("tensor '" + name + "' has unsupported ONNX element type " + std::to_string(proto.data_type()));
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    throw Error("tensor '" + name + "' stores its data in an external file, which is not supported");
  }
  Shape shape(proto.dims().begin(), proto.dims().end());
  if (std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; })) {
    throw Error("tensor '" + name + "' has a negative dimension");
  }
  if (exceedsMaxElements(shape)) throw Error("tensor '" + name + "' is implausibly large");
  requireStoredValues(proto, dtype, shape, elementCount(shape));
  TensorData out(dtype, shape);
  if (proto.has_raw_data()) {
    if (out.byteSize() > 0) std::memcpy(out.data(), proto.raw_data().data(), out.byteSize());
    return out;
  }
  switch (dtype) {
    case DType::Float32: fillFromRepeated(out, proto.float_data()); break;
    case DType::Float64: fillFromRepeated(out, proto.double_data()); break;
    case DType::Int64: fillFromRepeated(out, proto.int64_data()); break;
    case DType::UInt32:
    case DType::UInt64: fillFromRepeated(out, proto.uint64_data()); break;
    case DType::BFloat16: {
      // bfloat16 values travel as raw 16-bit patterns in int32_data.
      for (int64_t i = 0; i < out.size(); ++i) {
        uint16_t bits = static_cast<uint16_t>(proto.int32_data(static_cast<int>(i)));
        std::memcpy(out.data() + 2 * i, &bits, 2);
      }
      break;
    }
    default: fillFromRepeated(out, proto.int32_data()); break;
  }
  return out;
}

namespace {

AttributeValue attributeValue(const onnx::AttributeProto& a, const std::string& where) {
  switch (a.type()) {
    case onnx::AttributeProto::INT: return a.i();
    case onnx::AttributeProto::FLOAT: return static_cast<double>(a.f());
    case onnx::AttributeProto::STRING: return a.s();
    case onnx::AttributeProto::INTS: return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto::FLOATS: return std::vector<double>(a.floats().begin(), a.floats().end());
    case onnx::AttributeProto::STRINGS: return std::vector<std::string>(a.strings().begin(), a.strings().end());
    case onnx::AttributeProto::TENSOR: return tensorFromProto(a.t());
    default:
      throw Error(where + ": attribute '" + a.name() + "' has a type deeploy does not support (graphs, sparse tensors)");
  }
}

// Declared element type and static shape of a value_info; dynamic dimensions become -1.
void readDeclaredType(const onnx::ValueInfoProto& info, Tensor& t) {
  if (!info.type().has_tensor_type()) return;
  const auto& tt = info.type().tensor_type();
  t.declaredType = fromOnnxType(tt.elem_type());
  if (!tt.has_shape()) return;
  t.shape.clear();
  for (const auto& dim : tt.shape().dim()) t.shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
}

std::string readModelFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error("cannot open model file '" + path + "'");
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

onnx::ModelProto parseModelBytes(const std::string& bytes, const std::string& origin) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes)) {
    throw Error("'" + origin + "' is not a valid ONNX model (empty, truncated or not a protobuf)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    throw Error("'" + origin + "' is not an ONNX model: it contains no graph with nodes");
  }
  return model;
}

// ONNX graphs assign each tensor once: a node output that another node, an initializer or a graph input
// already provides has no single value (and a constant's data would not match its inferred shape).
void requireSingleAssignment(const Graph& graph) {
  std::vector<const Node*> producer(graph.tensors.size(), nullptr);
  for (const Node& node : graph.nodes) {
    for (TensorId out : node.outputs) {
      if (out == kNoTensor) continue;
      const Tensor& t = graph.tensor(out);
      std::string other;
      if (const Node* earlier = producer[static_cast<size_t>(out)]) other = earlier->describe() + " writes it too";
      if (t.isConstant()) other = "it is an initializer";
      if (std::find(graph.inputs.begin(), graph.inputs.end(), out) != graph.inputs.end()) other = "it is a graph input";
      if (!other.empty()) throw Error(node.describe() + " writes tensor '" + t.name + "', but " + other);
      producer[static_cast<size_t>(out)] = &node;
    }
  }
}

}  // namespace

Graph loadOnnxModel(const std::string& path) { return parseOnnxModel(readModelFile(path), path); }

Graph parseOnnxModel(const std::string& bytes, const std::string& origin) {
  onnx::ModelProto model = parseModelBytes(bytes, origin);
  const onnx::GraphProto& g = model.graph();
  Graph graph;
  graph.name = g.name().empty() ? "network" : g.name();
  for (const auto& import : model.opset_import()) {
    if (import.domain().empty() || import.domain() == "ai.onnx") graph.opset = import.version();
  }
  std::unordered_map<std::string, TensorId> byName;
  auto tensorNamed = [&](const std::string& name) {
    auto it = byName.find(name);
    if (it != byName.end()) return it->second;
    Tensor t;
    t.name = name;
    TensorId id = graph.addTensor(std::move(t));
    byName.emplace(name, id);
    return id;
  };

  for (const auto& init : g.initializer()) {
    TensorId id = tensorNamed(init.name());
    Tensor& t = graph.tensor(id);
    t.constant = tensorFromProto(init);
    t.dtype = t.constant->dtype();
    t.declaredType = t.dtype;
    t.shape = t.constant->shape();
    graph.initializers.push_back(id);
  }
  for (const auto& input : g.input()) {
    TensorId id = tensorNamed(input.name());
    if (graph.tensor(id).isConstant()) {
      graph.overridableInitializers.push_back(id);
      continue;
    }
    readDeclaredType(input, graph.tensor(id));
    graph.inputs.push_back(id);
  }
  int index = 0;
  for (const auto& n : g.node()) {
    Node node;
    node.name = n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
    node.op = n.op_type();
    node.domain = n.domain();
    for (const auto& in : n.input()) node.inputs.push_back(in.empty() ? kNoTensor : tensorNamed(in));
    for (const auto& out : n.output()) node.outputs.push_back(out.empty() ? kNoTensor : tensorNamed(out));
    for (const auto& a : n.attribute()) node.attrs.set(a.name(), attributeValue(a, node.describe()));
    graph.nodes.push_back(std::move(node));
    ++index;
  }
  requireSingleAssignment(graph);
  for (const auto& info : g.value_info()) {
    auto it = byName.find(info.name());
    if (it == byName.end() || graph.tensor(it->second).isConstant()) continue;
    Tensor declared;
    readDeclaredType(info, declared);
    graph.tensor(it->second).declaredType = declared.declaredType;
  }
  for (const auto& output : g.output()) {
    auto it = byName.find(output.name());
    if (it == byName.end()) throw Error("graph output '" + output.name() + "' is not produced by any node");
    Tensor& t = graph.tensor(it->second);
    if (t.declaredType == DType::Undefined) t.declaredType = fromOnnxType(output.type().tensor_type().elem_type());
    graph.outputs.push_back(it->second);
  }
  graph.topologicalSort();
  return graph;
}

}  // namespace deeploy

namespace deeploy {

TensorData loadOnnxTensorFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error("cannot open tensor file '" + path + "'");
  std::stringstream buffer;
  buffer << file.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(buffer.str())) throw Error("'" + path + "' is not a serialized ONNX tensor");
  return tensorFromProto(proto);
}

}  // namespace deeploy
