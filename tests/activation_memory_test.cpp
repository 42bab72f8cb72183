#include <gtest/gtest.h>

#include "memory/activation_memory.h"
#include "ops/op_schema.h"

namespace deeploy {
namespace {

// Test-only operators: a view (like Reshape) and a plain kernel with scratch memory.
const OpRegistrar testOps{
    OpSchema{"TestView", nullptr, nullptr, nullptr, nullptr, true},
    OpSchema{"TestKernel", nullptr, nullptr, nullptr, [](const Graph&, const Node&) { return size_t{100}; }, false},
};

TensorId addActivation(Graph& g, const std::string& name, int64_t bytes) {
  return g.addTensor({.name = name, .dtype = DType::Int8, .shape = {bytes}});
}

// in -> TestKernel -> a -> TestView -> b -> TestKernel -> out
Graph chainWithView() {
  Graph g;
  TensorId in = addActivation(g, "in", 64), a = addActivation(g, "a", 64), b = addActivation(g, "b", 64),
           out = addActivation(g, "out", 64);
  g.inputs = {in};
  g.outputs = {out};
  g.nodes.push_back({"k1", "TestKernel", "", {in}, {a}, {}});
  g.nodes.push_back({"view", "TestView", "", {a}, {b}, {}});
  g.nodes.push_back({"k2", "TestKernel", "", {b}, {out}, {}});
  return g;
}

TEST(ActivationMemory, ViewsShareTheBufferOfWhatTheyView) {
  Graph g = chainWithView();
  ActivationMemory mem = planActivationMemory(g, BestFitPlanner(), 8);
  EXPECT_EQ(mem.bufferOfTensor[1], mem.bufferOfTensor[2]);
  EXPECT_NE(mem.bufferOfTensor[0], mem.bufferOfTensor[1]);
  const Allocation& shared = mem.allocations[static_cast<size_t>(mem.bufferOfTensor[1])];
  EXPECT_EQ(shared.first, 1);  // produced by k1 at step 1
  EXPECT_EQ(shared.last, 3);   // read through the view by k2 at step 3
}

TEST(ActivationMemory, ScratchLivesOnlyDuringItsNodeAndPlanIsValid) {
  Graph g = chainWithView();
  ActivationMemory mem = planActivationMemory(g, BestFitPlanner(), 8);
  ASSERT_GE(mem.scratchOfNode[0], 0);
  const Allocation& scratch = mem.allocations[static_cast<size_t>(mem.scratchOfNode[0])];
  EXPECT_EQ(scratch.size, 104u);  // 100 bytes aligned to 8
  EXPECT_EQ(scratch.first, 1);
  EXPECT_EQ(scratch.last, 1);
  EXPECT_EQ(validatePlan(mem.allocations, mem.plan, 8), "");
  EXPECT_GE(mem.plan.arenaSize, mem.lowerBound);
  // in (until step 1), scratch and a are live together at step 1: 64 + 104 + 64.
  EXPECT_EQ(mem.lowerBound, 232u);
}

TEST(ActivationMemory, GraphOutputsStayLiveToTheEnd) {
  Graph g = chainWithView();
  ActivationMemory mem = planActivationMemory(g, BestFitPlanner(), 8);
  EXPECT_EQ(mem.allocations[static_cast<size_t>(mem.bufferOfTensor[3])].last, 4);
  EXPECT_EQ(mem.allocations[static_cast<size_t>(mem.bufferOfTensor[0])].first, 0);
}

}  // namespace
}  // namespace deeploy
