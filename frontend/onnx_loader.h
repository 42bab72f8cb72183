// Loads an ONNX model file into the graph IR.
#pragma once

#include <string>

#include "ir/graph.h"

namespace deeploy {

// Initializers become constant tensors; graph inputs that have an initializer are constants too.
// Declared types and shapes are recorded but only trusted for graph inputs until inference runs.
// Throws deeploy::Error for unreadable, truncated or non-ONNX files and unsupported encodings.
Graph loadOnnxModel(const std::string& path);
// The same for a model's serialized bytes; `origin` names them in error messages.
Graph parseOnnxModel(const std::string& bytes, const std::string& origin);


}  // namespace deeploy
namespace deeploy {

// Reads a serialized onnx.TensorProto file (the test_data_set_*/input_*.pb files of ONNX's node tests).
TensorData loadOnnxTensorFile(const std::string& path);

}  // namespace deeploy
