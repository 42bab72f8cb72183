#include "tools/generate.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "frontend/npz.h"
#include "ir/error.h"
#include "ops/interpreter.h"
#include "targets/host_target.h"
#include "targets/process.h"
#include "targets/rv32_target.h"
#include "tools/bpe_tokenizer.h"
#include "tools/work_dir.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

constexpr double kGenerateTimeoutSeconds = 1800;

struct ModelFiles {
  std::string onnx, tokenizer;
  std::optional<std::string> typingInputs;  // inputs.npz beside the network
  std::optional<std::string> generation;    // generation.json beside the tokenizer (logit_scale)
};

ModelFiles findModelFiles(const GenerateCommand& cmd) {
  ModelFiles f;
  fs::path model(cmd.model);
  f.onnx = fs::is_directory(model) ? (model / "network.onnx").string() : model.string();
  if (!fs::exists(f.onnx)) throw Error("no step network at '" + f.onnx + "'");
  fs::path dir = fs::path(f.onnx).parent_path();
  if (fs::exists(dir / "inputs.npz")) f.typingInputs = (dir / "inputs.npz").string();
  if (cmd.tokenizer) {
    f.tokenizer = *cmd.tokenizer;
  } else {
    for (const fs::path& candidate : {dir / "tokenizer.json", dir.parent_path() / "tokenizer.json"}) {
      if (fs::exists(candidate)) f.tokenizer = candidate.string();
      if (!f.tokenizer.empty()) break;
    }
    if (f.tokenizer.empty()) throw Error("no tokenizer.json beside '" + f.onnx + "' or in its parent; give --tokenizer");
  }
  fs::path generation = fs::path(f.tokenizer).parent_path() / "generation.json";
  if (fs::exists(generation)) f.generation = generation.string();
  return f;
}

// exp(-scale * d / T) in the sampler's Q16 arithmetic: scale / T in Q16 (0 for the largest logit).
uint64_t inverseTemperatureQ16(const GenerateCommand& cmd, const ModelFiles& files) {
  if (!cmd.temperature) return 0;
  if (*cmd.temperature <= 0) throw Error("--temperature must be positive");
  if (!files.generation) throw Error("--temperature needs the logits' scale: no generation.json beside the tokenizer");
  std::ifstream f(*files.generation);
  double scale = nlohmann::json::parse(f).at("logit_scale").get<double>();
  return static_cast<uint64_t>(std::llround(scale / *cmd.temperature * 65536.0));
}

// The same choice as runtime/generate/generate.c, for the reference interpreter's tokens.
uint32_t nextRandom(uint32_t& state) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

uint64_t expNegativeQ16(uint64_t x) {
  const uint64_t ln2 = 45426;
  uint64_t n = x / ln2, r = x - n * ln2, term = 65536, sum = 65536;
  if (n >= 32) return 0;
  for (uint64_t k = 1; k <= 4; ++k) {
    term = term * r / 65536 / k;
    sum = (k & 1) ? sum - term : sum + term;
  }
  return sum >> n;
}

int chooseToken(const TensorData& logits, int64_t first, int64_t vocab, uint64_t inverseTq16, uint32_t& random) {
  int64_t best = 0;
  for (int64_t i = 1; i < vocab; ++i) {
    if (logits.getInt(first + i) > logits.getInt(first + best)) best = i;
  }
  if (inverseTq16 == 0) return static_cast<int>(best);
  std::vector<uint64_t> weights(static_cast<size_t>(vocab));
  uint64_t total = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    weights[static_cast<size_t>(i)] =
        expNegativeQ16(static_cast<uint64_t>(logits.getInt(first + best) - logits.getInt(first + i)) * inverseTq16);
    total += weights[static_cast<size_t>(i)];
  }
  uint64_t draw = nextRandom(random) % total;
  for (int64_t i = 0; i < vocab; ++i) {
    if (draw < weights[static_cast<size_t>(i)]) return static_cast<int>(i);
    draw -= weights[static_cast<size_t>(i)];
  }
  return static_cast<int>(best);
}

size_t inputNamed(const Graph& graph, const std::string& name) {
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    if (graph.tensor(graph.inputs[i]).name == name) return i;
  }
  throw Error("deeploy generate needs a step network with inputs 'token', 'position' and 'mask' (as "
              "models/fortunes/export.py writes); this one has no '" + name + "'");
}

struct StepInterface {
  size_t token, position, mask;
  int64_t vocab;
};

StepInterface stepInterface(const CompiledModel& model) {
  const Graph& g = model.graph;
  if (g.outputs.size() != 1) throw Error("the step network must return only its logits besides the caches");
  if (model.kvCache->newRows != 1) throw Error("deeploy generate runs steps of one token; this network appends " +
                                               std::to_string(model.kvCache->newRows));
  const Tensor& logits = g.tensor(g.outputs[0]);
  if (logits.dtype != DType::Int32) throw Error("the step's logits must be int32");
  return {inputNamed(g, "token"), inputNamed(g, "position"), inputNamed(g, "mask"), logits.shape.back()};
}

std::string configHeader(const StepInterface& step, const std::vector<int>& prompt, const GenerateCommand& cmd,
                         uint64_t inverseTq16, int endOfText) {
  std::ostringstream h;
  h << "/* Written by deeploy generate. */\n#define DP_GEN_PROMPT_LENGTH " << prompt.size() << "\n#define DP_GEN_PROMPT {";
  for (size_t i = 0; i < prompt.size(); ++i) h << (i ? ", " : "") << prompt[i];
  h << "}\n#define DP_GEN_NEW_TOKENS " << cmd.tokens << "\n#define DP_GEN_SEED " << cmd.seed
    << "u\n#define DP_GEN_INV_TEMPERATURE_Q16 " << inverseTq16 << "u\n#define DP_GEN_END_OF_TEXT "
    << (cmd.ignoreEnd ? -1 : endOfText)
    << "\n#define DP_GEN_VOCAB " << step.vocab << "\n#define DP_GEN_LOGITS " << step.vocab
    << "\n#define DP_GEN_TOKEN_INPUT " << step.token << "\n#define DP_GEN_POSITION_INPUT " << step.position
    << "\n#define DP_GEN_MASK_INPUT " << step.mask << "\n#define DP_GEN_LOGITS_OUTPUT 0\n";
  return h.str();
}

// The sections of the built program (riscv64-unknown-elf-size, Berkeley format): code and constants
// in text, initialized data, zeroed data (arena and caches).
void printElfSizes(const std::string& elf) {
  ProcessResult r = runProcess({"riscv64-unknown-elf-size", elf}, 60);
  std::istringstream lines(r.output);
  std::string header, text, data, bss;
  std::getline(lines, header);
  if (r.exitCode != 0 || !(lines >> text >> data >> bss)) throw Error("cannot read the program's sizes:\n" + r.output);
  std::printf("program (ELF): text %s B (code and constants), data %s B, bss %s B (arena, KV caches, stacks)\n",
              text.c_str(), data.c_str(), bss.c_str());
}

struct Generated {
  std::vector<int> tokens;
  std::vector<uint64_t> costs;  // per generated token: ns (host) or busiest-hart instructions (rv32)
};

Generated generateOnTarget(const CompiledModel& model, const std::string& config, const GenerateCommand& cmd,
                           const BpeTokenizer& tokenizer) {
  WorkDir work(std::nullopt);
  writeNetworkSources(work.path(), model.network);
  {
    std::ofstream f(fs::path(work.path()) / "generate_config.h");
    f << config;
  }
  const std::string loop = (fs::path(runtimeSourceDir()) / "generate" / "generate.c").string();
  std::vector<std::string> command;
  if (cmd.target == "rv32") {
    std::string elf = buildRv32Program(work.path(), {needsFloatUnit(model.graph), false, cmd.cores, loop});
    printElfSizes(elf);
    command = qemuCommand(elf, cmd.cores, true);
  } else {
    HostBuildOptions build;
    build.harness = loop;
    build.extraFlags = {"-O2"};
    command = {buildHostProgram(work.path(), build)};
  }
  std::cout << cmd.prompt << std::flush;
  Generated out;
  ProcessResult r = runProcess(command, kGenerateTimeoutSeconds, [&](const std::string& line) {
    std::istringstream fields(line);
    std::string tag, kind;
    int token = 0;
    uint64_t cost = 0;
    if (!(fields >> tag >> kind >> token >> cost) || tag != "DP_GEN" || kind != "token") return;
    out.tokens.push_back(token);
    out.costs.push_back(cost);
    std::cout << (token == tokenizer.endOfText() ? std::string("\n") : tokenizer.bytesOf(token)) << std::flush;
  });
  std::cout << "\n";
  if (r.timedOut || r.exitCode != 0) throw Error("the generation program failed:\n" + r.output);
  return out;
}

// The tokens the reference interpreter generates: the fixed-length network at each number of cached
// rows, its caches carried from step to step.
std::vector<int> generateWithReference(const Graph& typed, const CompiledModel& model, const std::vector<int>& prompt,
                                       const GenerateCommand& cmd, uint64_t inverseTq16, int endOfText) {
  const KVCacheSignature& sig = *model.kvCache;
  std::vector<TensorData> caches;
  std::vector<int> tokens;
  uint32_t random = cmd.seed ? cmd.seed : 1u;
  int current = prompt[0];
  for (int64_t position = 0; position < model.graph.kvCache->maxRows; ++position) {
    Graph graph = fixedLengthGraph(typed, sig, position);
    std::vector<TensorData> inputs;
    for (size_t i = 0; i < graph.inputs.size(); ++i) inputs.emplace_back(graph.tensor(graph.inputs[i]).dtype, graph.tensor(graph.inputs[i]).shape);
    inputs[inputNamed(graph, "token")].setInt(0, current);
    inputs[inputNamed(graph, "position")].setInt(0, position);
    for (size_t k = 0; k < caches.size(); ++k) inputs[sig.cacheInputs[k]] = caches[k];
    std::vector<TensorData> outputs = interpretGraph(graph, inputs);
    caches.clear();
    for (size_t o : sig.cacheOutputs) caches.push_back(outputs[o]);
    if (position + 1 < static_cast<int64_t>(prompt.size())) {
      current = prompt[static_cast<size_t>(position + 1)];
      continue;
    }
    size_t logits = 0;
    while (std::find(sig.cacheOutputs.begin(), sig.cacheOutputs.end(), logits) != sig.cacheOutputs.end()) ++logits;
    const TensorData& row = outputs[logits];
    int64_t vocab = row.shape().back();
    current = chooseToken(row, row.size() - vocab, vocab, inverseTq16, random);
    tokens.push_back(current);
    if (static_cast<int>(tokens.size()) == cmd.tokens || (current == endOfText && !cmd.ignoreEnd)) break;
  }
  return tokens;
}

// Generated token k comes from the step with prompt - 1 + k cached tokens.
void printCosts(const GenerateCommand& cmd, size_t promptTokens, const Generated& g) {
  if (g.tokens.empty()) return;
  uint64_t total = 0, most = 0;
  for (uint64_t c : g.costs) {
    total += c;
    most = std::max(most, c);
  }
  double mean = static_cast<double>(total) / static_cast<double>(g.costs.size());
  if (cmd.target == "rv32") {
    std::printf("%zu tokens on %d hart(s); instructions per token on the busiest hart: mean %.0f; %llu with %zu tokens "
                "cached, %llu with %zu\n",
                g.tokens.size(), cmd.cores, mean, static_cast<unsigned long long>(g.costs.front()), promptTokens - 1,
                static_cast<unsigned long long>(g.costs.back()), promptTokens - 2 + g.costs.size());
  } else {
    std::printf("%zu tokens; %.1f tokens/s (%.3f ms per step, the slowest %.3f ms)\n", g.tokens.size(), 1e9 / mean, mean / 1e6,
                static_cast<double>(most) / 1e6);
  }
}

}  // namespace

int runGenerate(const GenerateCommand& cmd) {
  if (cmd.tokens < 1) throw Error("--tokens must be at least 1");
  ModelFiles files = findModelFiles(cmd);
  BpeTokenizer tokenizer = BpeTokenizer::load(files.tokenizer);
  std::vector<int> prompt = tokenizer.encode(cmd.prompt);
  if (prompt.empty()) throw Error("the prompt gives no tokens");
  if (static_cast<int64_t>(prompt.size()) >= cmd.context) {
    throw Error("the prompt's " + std::to_string(prompt.size()) + " tokens fill the context of " + std::to_string(cmd.context));
  }
  uint64_t inverseTq16 = inverseTemperatureQ16(cmd, files);
  std::optional<NamedArrays> arrays;
  if (files.typingInputs) arrays = readNpz(*files.typingInputs);
  Platform platform = resolvePlatform(cmd.platform);
  CompiledModel model = compileKVCacheModel(files.onnx, arrays, cmd.context, false, platform, cmd.cores);
  StepInterface step = stepInterface(model);
  if (step.vocab != tokenizer.vocabSize()) {
    throw Error("the network has " + std::to_string(step.vocab) + " logits, the tokenizer " +
                std::to_string(tokenizer.vocabSize()) + " tokens");
  }
  Generated g = generateOnTarget(model, configHeader(step, prompt, cmd, inverseTq16, tokenizer.endOfText()), cmd, tokenizer);
  printCosts(cmd, prompt.size(), g);
  if (!cmd.checkReference) return 0;
  std::vector<int> reference =
      generateWithReference(loadTypedModel(files.onnx, arrays), model, prompt, cmd, inverseTq16, tokenizer.endOfText());
  bool same = reference == g.tokens;
  std::printf("reference interpreter: %zu tokens, %s\n", reference.size(),
              same ? "identical to the generated program's" : "DIFFERENT from the generated program's");
  return same ? 0 : 1;
}

}  // namespace deeploy
