#include "passes/integer_div_folding.h"

#include <algorithm>
#include <limits>

#include "ops/integer_div.h"

namespace deeploy {

namespace {

bool isScalarConstant(const Tensor& t) { return t.constant && t.constant->size() == 1 && t.constant->allIntegral(); }

bool isZeroConstant(const Tensor& t) {
  if (!t.constant || !t.constant->allIntegral()) return false;
  auto values = t.constant->toInts();
  return std::all_of(values.begin(), values.end(), [](int64_t v) { return v == 0; });
}

// The RequantShift reading `tensor` as its only use, or nullptr.
Node* soleRequantReader(Graph& graph, const std::vector<std::vector<int>>& consumers, TensorId tensor) {
  if (graph.isGraphOutput(tensor) || consumers[static_cast<size_t>(tensor)].size() != 1) return nullptr;
  Node& reader = graph.nodes[static_cast<size_t>(consumers[static_cast<size_t>(tensor)][0])];
  if (reader.op != "RequantShift" || reader.inputs.size() != 3) return nullptr;
  bool onlyInputZero = reader.inputs[0] == tensor && reader.inputs[1] != tensor && reader.inputs[2] != tensor;
  return onlyInputZero ? &reader : nullptr;
}

// True if x * factor stays within `result`'s range for every value of x's type.
bool productNeverWraps(DType x, int64_t factor, DType result) {
  for (__int128 v : {static_cast<__int128>(integerMin(x)) * factor, static_cast<__int128>(integerMax(x)) * factor}) {
    if (v < integerMin(result) || v > integerMax(result)) return false;
  }
  return true;
}

}  // namespace

int foldTrueIntegerDiv(Graph& graph) {
  auto consumers = graph.consumers();
  std::vector<bool> remove(graph.nodes.size(), false);
  int folded = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& division = graph.nodes[n];
    if (division.op != "TrueIntegerDiv" || division.inputs.size() != 1 || division.outputs.size() != 1) continue;
    Node* requant = soleRequantReader(graph, consumers, division.outputs[0]);
    if (!requant) continue;
    const Tensor &mul = graph.tensor(requant->inputs[1]), &add = graph.tensor(requant->inputs[2]);
    if (!isScalarConstant(mul) || !isZeroConstant(add)) continue;

    int64_t factor = trueIntegerDivFactor(division.attrs);
    const Tensor &x = graph.tensor(division.inputs[0]), &quotient = graph.tensor(division.outputs[0]);
    __int128 product = static_cast<__int128>(mul.constant->getInt(0)) * factor;
    bool mulFits = product >= std::numeric_limits<int32_t>::min() && product <= std::numeric_limits<int32_t>::max();
    if (!mulFits || !productNeverWraps(x.dtype, factor, quotient.dtype)) continue;

    TensorData folded32 =
        TensorData::fromInts(DType::Int32, mul.shape, std::vector<int64_t>{static_cast<int64_t>(product)});
    requant->inputs[1] = graph.addConstant(mul.name + "_times_" + std::to_string(factor), std::move(folded32));
    requant->inputs[0] = division.inputs[0];
    remove[n] = true;
    ++folded;
  }
  graph.removeNodes(remove);
  return folded;
}

}  // namespace deeploy
