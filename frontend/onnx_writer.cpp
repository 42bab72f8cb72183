#include "frontend/onnx_writer.h"

#include <cstring>
#include <fstream>
#include <set>

#include <onnx/onnx_pb.h>

#include "ir/error.h"

namespace deeploy {

namespace {

int32_t onnxType(DType type, const std::string& tensor) {
  switch (type) {
    case DType::Bool: return onnx::TensorProto::BOOL;
    case DType::Int8: return onnx::TensorProto::INT8;
    case DType::UInt8: return onnx::TensorProto::UINT8;
    case DType::Int16: return onnx::TensorProto::INT16;
    case DType::UInt16: return onnx::TensorProto::UINT16;
    case DType::Int32: return onnx::TensorProto::INT32;
    case DType::UInt32: return onnx::TensorProto::UINT32;
    case DType::Int64: return onnx::TensorProto::INT64;
    case DType::UInt64: return onnx::TensorProto::UINT64;
    case DType::BFloat16: return onnx::TensorProto::BFLOAT16;
    case DType::Float32: return onnx::TensorProto::FLOAT;
    case DType::Float64: return onnx::TensorProto::DOUBLE;
    default: throw Error("tensor '" + tensor + "' has no ONNX element type (" + std::string(dtypeName(type)) + ")");
  }
}

void fillTensor(onnx::TensorProto& proto, const std::string& name, const TensorData& value) {
  proto.set_name(name);
  proto.set_data_type(onnxType(value.dtype(), name));
  for (int64_t d : value.shape()) proto.add_dims(d);
  proto.set_raw_data(std::string(reinterpret_cast<const char*>(value.data()), value.byteSize()));
}

void fillValueInfo(onnx::ValueInfoProto& info, const Tensor& t) {
  info.set_name(t.name);
  auto* type = info.mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnxType(t.dtype, t.name));
  auto* shape = type->mutable_shape();
  for (int64_t d : t.shape) shape->add_dim()->set_dim_value(d);
}

void fillAttribute(onnx::AttributeProto& a, const std::string& name, const AttributeValue& value) {
  a.set_name(name);
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, int64_t>) {
          a.set_type(onnx::AttributeProto::INT);
          a.set_i(v);
        } else if constexpr (std::is_same_v<V, double>) {
          a.set_type(onnx::AttributeProto::FLOAT);
          a.set_f(static_cast<float>(v));
        } else if constexpr (std::is_same_v<V, std::string>) {
          a.set_type(onnx::AttributeProto::STRING);
          a.set_s(v);
        } else if constexpr (std::is_same_v<V, std::vector<int64_t>>) {
          a.set_type(onnx::AttributeProto::INTS);
          for (int64_t x : v) a.add_ints(x);
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          a.set_type(onnx::AttributeProto::FLOATS);
          for (double x : v) a.add_floats(static_cast<float>(x));
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          a.set_type(onnx::AttributeProto::STRINGS);
          for (const auto& x : v) a.add_strings(x);
        } else {
          a.set_type(onnx::AttributeProto::TENSOR);
          fillTensor(*a.mutable_t(), name, v);
        }
      },
      value);
}

}  // namespace

void saveOnnxModel(const Graph& graph, const std::string& path) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("deeploy");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(graph.opset > 0 ? graph.opset : 13);
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name(graph.name);

  std::set<TensorId> written;  // constants already stored as initializers
  for (TensorId id : graph.inputs) fillValueInfo(*g.add_input(), graph.tensor(id));
  for (const Node& node : graph.nodes) {
    onnx::NodeProto& n = *g.add_node();
    n.set_name(node.name);
    n.set_op_type(node.op);
    n.set_domain(node.domain);
    for (TensorId in : node.inputs) {
      n.add_input(in == kNoTensor ? "" : graph.tensor(in).name);
      if (in != kNoTensor && graph.tensor(in).isConstant() && written.insert(in).second) {
        fillTensor(*g.add_initializer(), graph.tensor(in).name, *graph.tensor(in).constant);
      }
    }
    for (TensorId out : node.outputs) {
      n.add_output(out == kNoTensor ? "" : graph.tensor(out).name);
      if (out != kNoTensor && !graph.isGraphOutput(out) && graph.tensor(out).dtype != DType::Undefined) {
        fillValueInfo(*g.add_value_info(), graph.tensor(out));
      }
    }
    for (const auto& [name, value] : node.attrs.all()) fillAttribute(*n.add_attribute(), name, value);
  }
  for (TensorId id : graph.outputs) fillValueInfo(*g.add_output(), graph.tensor(id));

  std::ofstream file(path, std::ios::binary);
  if (!file || !model.SerializeToOstream(&file)) throw Error("cannot write ONNX model '" + path + "'");
}

}  // namespace deeploy
