#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include "frontend/input_binding.h"
#include "frontend/onnx_loader.h"
#include "ir/error.h"
#include "ops/interpreter.h"
#include "passes/pipeline.h"
#include "tests/support/errors.h"

namespace deeploy {
namespace {

using testing::errorOf;
namespace fs = std::filesystem;

// A small model: y = Add(x, w) with w an initializer, x declared float [2, 3].
onnx::ModelProto addModel(const std::string& op = "Add") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("add");
  auto* x = g->add_input();
  x->set_name("x");
  x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {2, 3}) x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(3);
  for (float v : {1.0f, 2.0f, 3.0f}) w->add_float_data(v);
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name("the_node");
  n->add_input("x");
  n->add_input("w");
  n->add_output("y");
  g->add_output()->set_name("y");
  return m;
}

std::string writeTemp(const std::string& name, const std::string& bytes) {
  fs::path p = fs::temp_directory_path() / ("deeploy_frontend_test_" + name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p.string();
}

TEST(OnnxLoader, LoadsInitializersInputsAndNodes) {
  Graph g = loadOnnxModel(writeTemp("ok.onnx", addModel().SerializeAsString()));
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.tensor(g.inputs[0]).shape, (Shape{2, 3}));
  EXPECT_EQ(g.opset, 13);
  ASSERT_EQ(g.nodes.size(), 1u);
  const Tensor& w = g.tensor(g.nodes[0].inputs[1]);
  ASSERT_TRUE(w.isConstant());
  EXPECT_EQ(w.constant->toDoubles(), (std::vector<double>{1, 2, 3}));
}

TEST(OnnxLoader, TruncatedModelIsAClearError) {
  std::string bytes = addModel().SerializeAsString();
  for (size_t cut : {size_t{0}, size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    std::string msg = errorOf([&] { loadOnnxModel(writeTemp("cut.onnx", bytes.substr(0, cut))); });
    EXPECT_NE(msg, "") << "cut at " << cut;
  }
}

TEST(OnnxLoader, NonOnnxFileAndMissingFileAreClearErrors) {
  EXPECT_NE(errorOf([] { loadOnnxModel(writeTemp("text.onnx", "this is not a model\n")); }).find("not"), std::string::npos);
  EXPECT_NE(errorOf([] { loadOnnxModel("/nonexistent/model.onnx"); }).find("cannot open"), std::string::npos);
}

TEST(OnnxLoader, UnsupportedOperatorNamesNodeOpAndSupportedList) {
  Graph g = loadOnnxModel(writeTemp("unsupported.onnx", addModel("FancyOp").SerializeAsString()));
  typeInputsFromDeclarations(g);
  std::string msg = errorOf([&] { runMidend(g); });
  EXPECT_NE(msg.find("the_node"), std::string::npos) << msg;
  EXPECT_NE(msg.find("FancyOp"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Supported operators: "), std::string::npos) << msg;
}

TEST(OnnxLoader, ParsesModelBytesAsTheFileLoaderDoes) {
  Graph g = parseOnnxModel(addModel().SerializeAsString(), "in memory");
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].name, "the_node");
  EXPECT_NE(errorOf([] { parseOnnxModel("not a model", "in memory"); }).find("'in memory'"), std::string::npos);
}

TEST(OnnxLoader, InitializerWhoseDimensionsOutgrowItsValuesIsRejectedBeforeAllocating) {
  // [65536, 65536] float without values: 16 GiB if allocated before the value count is checked.
  onnx::ModelProto m = addModel();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_dims();
  w->add_dims(65536);
  w->add_dims(65536);
  std::string msg = errorOf([&] { parseOnnxModel(m.SerializeAsString(), "model"); });
  EXPECT_NE(msg.find("tensor 'w' holds 3 values for shape [65536, 65536]"), std::string::npos) << msg;
  w->set_raw_data(std::string(12, '\0'));
  msg = errorOf([&] { parseOnnxModel(m.SerializeAsString(), "model"); });
  EXPECT_NE(msg.find("tensor 'w' has 12 bytes of data, expected 17179869184"), std::string::npos) << msg;
}

TEST(OnnxLoader, TensorsWrittenTwiceOrOverConstantsAndInputsAreErrors) {
  const auto errorWith = [](const std::function<void(onnx::GraphProto&)>& change) {
    onnx::ModelProto m = addModel();
    change(*m.mutable_graph());
    return errorOf([&] { parseOnnxModel(m.SerializeAsString(), "model"); });
  };
  EXPECT_EQ(errorWith([](onnx::GraphProto& g) { *g.add_node() = g.node(0); }),
            "node 'the_node' (Add) writes tensor 'y', but node 'the_node' (Add) writes it too");
  EXPECT_EQ(errorWith([](onnx::GraphProto& g) { g.mutable_node(0)->set_output(0, "w"); }),
            "node 'the_node' (Add) writes tensor 'w', but it is an initializer");
  EXPECT_EQ(errorWith([](onnx::GraphProto& g) { g.mutable_node(0)->set_output(0, "x"); }),
            "node 'the_node' (Add) writes tensor 'x', but it is a graph input");
}

// addModel with x declared of `shape`.
onnx::ModelProto addModelWithInputShape(const std::vector<int64_t>& shape) {
  onnx::ModelProto m = addModel();
  auto* dims = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  dims->clear_dim();
  for (int64_t d : shape) dims->add_dim()->set_dim_value(d);
  return m;
}

TEST(TypeInference, InputsAndOutputsBeyondTheElementLimitAreErrors) {
  // 2^40 x 2^40 elements would overflow int64_t; 2^33 x 3 exceeds the limit of 2^32.
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40, 3},
                                             std::vector<int64_t>{int64_t{1} << 33, 3}}) {
    Graph g = parseOnnxModel(addModelWithInputShape(shape).SerializeAsString(), "model");
    typeInputsFromDeclarations(g);
    const std::string msg = errorOf([&] { runMidend(g); });
    EXPECT_NE(msg.find("graph input 'x' has shape"), std::string::npos) << msg;
    EXPECT_NE(msg.find("more than 4294967296 elements"), std::string::npos) << msg;
  }
  // Within the limit: x of [2^31, 1] broadcast against w of [3] gives an output of 3 x 2^31 elements.
  Graph g = parseOnnxModel(addModelWithInputShape({int64_t{1} << 31, 1}).SerializeAsString(), "model");
  typeInputsFromDeclarations(g);
  const std::string msg = errorOf([&] { runMidend(g); });
  EXPECT_NE(msg.find("node 'the_node' (Add): output 'y' would have shape [2147483648, 3]"), std::string::npos) << msg;
}

TEST(TypeInference, FoldingBeyondItsLimitNamesTheNode) {
  // Expand of the constant w [3] to [2^23, 3]: 3 x 2^23 elements computed at compile time.
  onnx::ModelProto m = addModel("Expand");
  auto* g = m.mutable_graph();
  g->mutable_node(0)->set_input(0, "w");
  g->mutable_node(0)->set_input(1, "shape");
  g->mutable_node(0)->set_output(0, "expanded");
  auto* shape = g->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(onnx::TensorProto::INT64);
  shape->add_dims(2);
  for (int64_t d : {int64_t{1} << 23, int64_t{3}}) shape->add_int64_data(d);
  auto* add = g->add_node();
  add->set_op_type("Add");
  add->add_input("x");
  add->add_input("expanded");
  add->add_output("y");
  Graph graph = parseOnnxModel(m.SerializeAsString(), "model");
  typeInputsFromDeclarations(graph);
  const std::string msg = errorOf([&] { runMidend(graph); });
  EXPECT_NE(msg.find("node 'the_node' (Expand): its constant output 'expanded' of shape [8388608, 3] has more than "
                     "the 16777216 elements"),
            std::string::npos)
      << msg;
}

TEST(InputBinding, TypesIntegerValuedFloatInputsFromTheirRange) {
  Graph g = loadOnnxModel(writeTemp("bind.onnx", addModel().SerializeAsString()));
  NamedArrays arrays{{"x", TensorData::fromDoubles(DType::Float32, {2, 3}, std::vector<double>{0, 1, 2, 200, 4, 5})}};
  auto bound = bindInputs(g, arrays);
  EXPECT_EQ(g.tensor(g.inputs[0]).dtype, DType::UInt8);
  EXPECT_EQ(bound[0].dtype(), DType::UInt8);
  EXPECT_EQ(bound[0].getInt(3), 200);
}

TEST(InputBinding, NonIntegralValuesKeepTheDeclaredFloatType) {
  Graph g = loadOnnxModel(writeTemp("bindf.onnx", addModel().SerializeAsString()));
  NamedArrays arrays{{"x", TensorData::fromDoubles(DType::Float32, {2, 3}, std::vector<double>{0.5, 1, 2, 3, 4, 5})}};
  bindInputs(g, arrays);
  EXPECT_EQ(g.tensor(g.inputs[0]).dtype, DType::Float32);
}

TEST(InputBinding, MissingExtraAndMisshapedArraysAreErrors) {
  Graph g = loadOnnxModel(writeTemp("bind2.onnx", addModel().SerializeAsString()));
  EXPECT_NE(errorOf([&] { bindInputs(g, {}); }).find("no value for input"), std::string::npos);
  NamedArrays extra{{"x", TensorData(DType::Float32, {2, 3})}, {"junk", TensorData(DType::Float32, {7})}};
  EXPECT_NE(errorOf([&] { bindInputs(g, extra); }).find("junk"), std::string::npos);
  NamedArrays misshaped{{"x", TensorData(DType::Float32, {3, 2})}};
  EXPECT_NE(errorOf([&] { bindInputs(g, misshaped); }).find("shape"), std::string::npos);
}

TEST(InputBinding, ExtraArraysRepeatingInitializersAreAccepted) {
  Graph g = loadOnnxModel(writeTemp("bind3.onnx", addModel().SerializeAsString()));
  NamedArrays arrays{{"a", TensorData(DType::Float32, {2, 3})},
                     {"b", TensorData::fromDoubles(DType::Float32, {3}, std::vector<double>{1, 2, 3})}};
  EXPECT_EQ(bindInputs(g, arrays).size(), 1u);
}

// y = (x + w1) + w2 with initializers w1 = {1, 2, 3} and w2 = {4, 5, 6}; w2 may also be declared as a
// graph input (an ONNX default the caller may override).
onnx::ModelProto twoWeightModel(bool w2IsAnInput) {
  onnx::ModelProto m = addModel();
  auto* g = m.mutable_graph();
  g->mutable_node(0)->set_output(0, "sum");
  auto* w2 = g->add_initializer();
  w2->set_name("w2");
  w2->set_data_type(onnx::TensorProto::FLOAT);
  w2->add_dims(3);
  for (float v : {4.0f, 5.0f, 6.0f}) w2->add_float_data(v);
  if (w2IsAnInput) {
    auto* in = g->add_input();
    in->set_name("w2");
    in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(3);
  }
  auto* n = g->add_node();
  n->set_op_type("Add");
  n->add_input("sum");
  n->add_input("w2");
  n->add_output("y");
  return m;
}

TensorData vector3(std::vector<double> values) { return TensorData::fromDoubles(DType::Float32, {3}, values); }

TEST(InputBinding, ExtraArraysAreTheInitializersInOrderWithinTheirType) {
  Graph g = loadOnnxModel(writeTemp("bind4.onnx", twoWeightModel(false).SerializeAsString()));
  // Deeploy's exporter: the input, then weights; integer arrays of float weights compare by value.
  NamedArrays arrays{{"arr_0", TensorData(DType::Float32, {2, 3})},
                     {"arr_1", TensorData::fromInts(DType::Int8, {3}, std::vector<int64_t>{1, 2, 3})},
                     {"arr_2", vector3({4, 5, 6})}};
  EXPECT_EQ(bindInputs(g, arrays).size(), 1u);
  NamedArrays onlySecond{{"arr_0", TensorData(DType::Float32, {2, 3})}, {"arr_1", vector3({4, 5, 6})}};
  EXPECT_EQ(bindInputs(g, onlySecond).size(), 1u);
}

TEST(InputBinding, ExtraArraysOutOfOrderOrDifferingAreOneLineErrors) {
  Graph g = loadOnnxModel(writeTemp("bind5.onnx", twoWeightModel(false).SerializeAsString()));
  NamedArrays swapped{{"arr_0", TensorData(DType::Float32, {2, 3})}, {"arr_1", vector3({4, 5, 6})}, {"arr_2", vector3({1, 2, 3})}};
  std::string message = errorOf([&] { bindInputs(g, swapped); });
  EXPECT_NE(message.find("'arr_2'"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  NamedArrays differing{{"arr_0", TensorData(DType::Float32, {2, 3})}, {"arr_1", vector3({1, 2, 3.5})}};
  EXPECT_NE(errorOf([&] { bindInputs(g, differing); }).find("'arr_1'"), std::string::npos);
  NamedArrays namedWrong{{"x", TensorData(DType::Float32, {2, 3})}, {"w2", vector3({0, 0, 0})}};
  EXPECT_NE(errorOf([&] { bindInputs(g, namedWrong); }).find("'w2'"), std::string::npos);
}

TEST(InputBinding, AnInitializerDeclaredAsInputTakesTheArraysValue) {
  Graph g = loadOnnxModel(writeTemp("bind6.onnx", twoWeightModel(true).SerializeAsString()));
  ASSERT_EQ(g.inputs.size(), 1u);  // w2 stays a constant, with the array's value
  NamedArrays arrays{{"arr_0", TensorData::fromDoubles(DType::Float32, {2, 3}, std::vector<double>{0.5, 0, 0, 0, 0, 0})},
                     {"arr_1", vector3({1, 2, 3})},
                     {"arr_2", vector3({-1, -2, -3})}};
  auto bound = bindInputs(g, arrays);
  const TensorId w2 = g.findTensor("w2");
  EXPECT_EQ(g.tensor(w2).constant->toDoubles(), (std::vector<double>{-1, -2, -3}));
  runMidend(g);
  EXPECT_EQ(interpretGraph(g, bound)[0].toDoubles(), (std::vector<double>{0.5, 0, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace deeploy
