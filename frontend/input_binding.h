// Binds input arrays (from an npz file) to a graph's runtime inputs and types the inputs from them.
#pragma once

#include <vector>

#include "frontend/npz.h"
#include "ir/graph.h"

namespace deeploy {

// Matches arrays to graph inputs by name when every input has an array of its name, otherwise by
// position (the first arrays are the inputs). Arrays beyond the inputs must stand for initializers of
// the model (Deeploy's test archives store weights after the inputs): one named after an initializer is
// that initializer, the others are initializers in the model's order (Graph::initializers, skipping
// those not stored). Each must equal its initializer (shape, and values converted to its type), unless
// the model also declares that initializer as a graph input: the array's value then replaces it. Sets each input's shape from its array, and its type:
// an integer-valued array for an input the model declares as float becomes the smallest integer type
// holding its values, provided all the bound arrays are integer-valued and some float-declared input's
// array is not empty (a quantized network exported with float containers); otherwise the declared type
// stands. Returns the arrays converted to those
// types, in graph-input order. Throws deeploy::Error for missing or unmatched arrays.
std::vector<TensorData> bindInputs(Graph& graph, const NamedArrays& arrays);

// Types graph inputs from the model's declarations alone (no values); fails on dynamic shapes.
void typeInputsFromDeclarations(Graph& graph);

}  // namespace deeploy
