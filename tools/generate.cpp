#include "tools/generate.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/error.h"
#include "ops/interpreter.h"
#include "targets/process.h"
#include "targets/cortex_m_target.h"
#include "targets/run_target.h"
#include "tools/step_program.h"
#include "tools/tokenizer.h"
#include "tools/work_dir.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

constexpr double kGenerateTimeoutSeconds = 1800;

struct ModelFiles {
  StepSource decode;
  std::optional<StepSource> prefill;      // --prefill
  std::string tokenizer;
  std::optional<std::string> generation;  // generation.json beside the step (logit_scale, tokenizer)
};

// --tokenizer, else tokenizer.json or tokenizer.bin beside the step, else the file the generation.json
// there names (relative to itself: a model may read its tokenizer from elsewhere, e.g. ../shared).
std::string findTokenizer(const GenerateCommand& cmd, const fs::path& stepDir, const std::optional<std::string>& generation) {
  if (cmd.tokenizer) return *cmd.tokenizer;
  for (const char* name : {"tokenizer.json", "tokenizer.bin"}) {
    if (auto found = besideStep(stepDir, name)) return found->string();
  }
  if (generation) {
    std::ifstream f(*generation);
    const nlohmann::json settings = nlohmann::json::parse(f, nullptr, false);
    if (settings.is_discarded()) throw Error("'" + *generation + "' is not JSON");
    if (settings.contains("tokenizer")) {
      return (fs::path(*generation).parent_path() / settings.at("tokenizer").get<std::string>()).lexically_normal().string();
    }
  }
  throw Error("no tokenizer.json or tokenizer.bin beside '" + stepDir.string() +
              "' or in its parent, and no generation.json there naming one; give --tokenizer");
}

ModelFiles findModelFiles(const GenerateCommand& cmd) {
  ModelFiles f{loadStepSource(cmd.model), std::nullopt, "", std::nullopt};
  if (cmd.prefill) f.prefill = loadStepSource(*cmd.prefill);
  const fs::path stepDir = fs::path(f.decode.onnx).parent_path();
  if (auto generation = besideStep(stepDir, "generation.json")) f.generation = generation->string();
  f.tokenizer = findTokenizer(cmd, stepDir, f.generation);
  return f;
}

// exp(-scale * d / T) in the sampler's Q16 arithmetic: scale / T in Q16 (0 for the largest logit). The
// scale, nats per logit unit, is generation.json's logit_scale; float logits are nats without one.
uint64_t inverseTemperatureQ16(const GenerateCommand& cmd, const ModelFiles& files, bool floatLogits) {
  if (!cmd.temperature) return 0;
  if (*cmd.temperature <= 0) throw Error("--temperature must be positive");
  const double scale = logitScale(files.generation, floatLogits, "--temperature");
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

// generate.c's DP_GEN_DISTANCE_Q16: float logits in float arithmetic, as the device computes them.
uint64_t distanceQ16(const TensorData& logits, int64_t best, int64_t i, uint64_t inverseTq16) {
  if (logits.dtype() == DType::Float32) {
    const float difference = static_cast<float>(logits.getDouble(best)) - static_cast<float>(logits.getDouble(i));
    return static_cast<uint64_t>(difference * static_cast<float>(inverseTq16));
  }
  return static_cast<uint64_t>(logits.getInt(best) - logits.getInt(i)) * inverseTq16;
}

int chooseToken(const TensorData& logits, int64_t first, int64_t vocab, uint64_t inverseTq16, uint32_t& random) {
  int64_t best = 0;
  for (int64_t i = 1; i < vocab; ++i) {
    if (logits.getDouble(first + i) > logits.getDouble(first + best)) best = i;
  }
  if (inverseTq16 == 0) return static_cast<int>(best);
  std::vector<uint64_t> weights(static_cast<size_t>(vocab));
  uint64_t total = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    weights[static_cast<size_t>(i)] = expNegativeQ16(distanceQ16(logits, first + best, first + i, inverseTq16));
    total += weights[static_cast<size_t>(i)];
  }
  uint64_t draw = nextRandom(random) % total;
  for (int64_t i = 0; i < vocab; ++i) {
    if (draw < weights[static_cast<size_t>(i)]) return static_cast<int>(i);
    draw -= weights[static_cast<size_t>(i)];
  }
  return static_cast<int>(best);
}

std::string configHeader(const StepsProgram& steps, const std::vector<int>& prompt, const GenerateCommand& cmd,
                         uint64_t inverseTq16, int endOfText) {
  std::ostringstream h;
  h << "/* Written by deeploy generate. */\n#define DP_GEN_PROMPT_LENGTH " << prompt.size() << "\n#define DP_GEN_PROMPT {";
  for (size_t i = 0; i < prompt.size(); ++i) h << (i ? ", " : "") << prompt[i];
  h << "}\n#define DP_GEN_NEW_TOKENS " << cmd.tokens << "\n#define DP_GEN_SEED " << cmd.seed
    << "u\n#define DP_GEN_INV_TEMPERATURE_Q16 " << inverseTq16 << "u\n#define DP_GEN_END_OF_TEXT "
    << (cmd.ignoreEnd ? -1 : endOfText) << "\n" << stepMacros(steps);
  return h.str();
}

struct Generated {
  int lastPromptToken = -1;  // what the first generated token is printed after
  std::vector<int> tokens;
  std::vector<std::pair<int64_t, uint64_t>> promptRuns;  // prompt tokens read, cost
  std::vector<std::pair<int64_t, uint64_t>> decodeRuns;  // rows cached before the run, cost
  std::vector<uint64_t> decodeCycles, decodeNpuMacs;     // siracusa: each decode run's estimated cycles, NPU MACs
};

// Costs are ns (host) or busiest-hart instructions (rv32); see runtime/generate/generate.c. On
// Cortex-M they come from the plugin's marks (takeCostsFromMarks).
void parseGenerateLine(const std::string& line, Generated& out, const Tokenizer& tokenizer) {
  std::istringstream fields(line);
  std::string tag, kind;
  int64_t value = 0;
  uint64_t cost = 0;
  if (!(fields >> tag >> kind >> value) || tag != "DP_GEN") return;
  if (kind == "token") {
    const int previous = out.tokens.empty() ? out.lastPromptToken : out.tokens.back();
    out.tokens.push_back(static_cast<int>(value));
    std::cout << tokenizer.textAfter(previous, static_cast<int>(value)) << std::flush;
  } else if (fields >> cost) {
    (kind == "prompt" ? out.promptRuns : out.decodeRuns).emplace_back(value, cost);
    if (uint64_t cycles = 0, macs = 0; kind == "decode" && fields >> cycles >> macs) {
      out.decodeCycles.push_back(cycles);
      out.decodeNpuMacs.push_back(macs);
    }
  }
}

// On Cortex-M the loop marks the start and end of every run after two calibration marks; the
// intervals alternate between runs and the loop's own work between them.
void takeCostsFromMarks(const std::string& marksFile, Generated& out) {
  std::vector<uint64_t> intervals = instructionsBetweenMarks(readInstructionMarks(marksFile));
  size_t run = 0;
  for (auto* runs : {&out.promptRuns, &out.decodeRuns}) {
    for (auto& [rows, cost] : *runs) {
      if (2 * run >= intervals.size()) throw Error("the generation program marked fewer runs than it printed");
      cost = intervals[2 * run++];
    }
  }
}

Generated generateOnTarget(const StepsProgram& steps, const Platform& platform, const std::string& config,
                           const GenerateCommand& cmd, const Tokenizer& tokenizer, int lastPromptToken) {
  WorkDir work(std::nullopt);
  TargetProgram program = buildDeviceLoop(work.path(), steps, config, cmd.target, platform, cmd.cores);
  if (!program.elf.empty()) printElfSizes(program);
  std::cout << cmd.prompt << std::flush;
  Generated out;
  out.lastPromptToken = lastPromptToken;
  ProcessResult r = runProcess(program.command, kGenerateTimeoutSeconds,
                               [&](const std::string& line) { parseGenerateLine(line, out, tokenizer); });
  std::cout << "\n";
  if (r.timedOut || r.exitCode != 0) throw Error("the generation program failed:\n" + r.output);
  if (!program.marksFile.empty()) takeCostsFromMarks(program.marksFile, out);
  return out;
}

// One step for the reference interpreter: the typed model (loadTypedModel) and its caches.
struct ReferenceStep {
  Graph typed;
  KVCacheSignature signature;
};

// The reference interpreter's generation: the same runs as runtime/generate/generate.c makes, each on
// the fixed-length network at its number of cached rows, the caches carried from run to run.
class ReferenceGeneration {
 public:
  // Runs `step` over `tokens` (as many as it reads) after the cached rows; keeps the first `keep` new
  // rows in the caches (the rest is padding). Returns the logits.
  TensorData run(const ReferenceStep& step, const std::vector<int>& tokens, int64_t keep) {
    const KVCacheSignature& sig = step.signature;
    Graph graph = fixedLengthGraph(step.typed, sig, cached_);
    std::vector<TensorData> inputs;
    for (TensorId id : graph.inputs) inputs.emplace_back(graph.tensor(id).dtype, graph.tensor(id).shape);
    TensorData &token = inputs[inputNamed(graph, "token")], &position = inputs[inputNamed(graph, "position")];
    for (size_t i = 0; i < tokens.size(); ++i) {
      token.setInt(static_cast<int64_t>(i), tokens[i]);
      position.setInt(static_cast<int64_t>(i), cached_ + static_cast<int64_t>(i));
    }
    // Row i (at position cached + i) attends to the rows up to its own.
    TensorData& mask = inputs[inputNamed(graph, "mask")];
    const int64_t width = mask.shape().back();
    for (int64_t f = 0; f < mask.size(); ++f) mask.setInt(f, f % width <= cached_ + f / width ? 0 : -1);
    for (size_t k = 0; k < caches_.size(); ++k) inputs[sig.cacheInputs[k]] = caches_[k];
    std::vector<TensorData> outputs = interpretGraph(graph, inputs);
    cached_ += keep;
    caches_.clear();
    for (size_t o : sig.cacheOutputs) {
      Shape kept = outputs[o].shape();
      kept[kept.size() - 2] = cached_;
      caches_.push_back(regionAtOrigin(outputs[o], kept));
    }
    size_t logits = 0;
    while (std::find(sig.cacheOutputs.begin(), sig.cacheOutputs.end(), logits) != sig.cacheOutputs.end()) ++logits;
    return outputs[logits];
  }

  int64_t cached() const { return cached_; }

 private:
  std::vector<TensorData> caches_;
  int64_t cached_ = 0;
};

// The tokens the reference interpreter generates with the runs of the device's loop.
std::vector<int> generateWithReference(const ReferenceStep& decode, const std::optional<ReferenceStep>& prefill,
                                       const std::vector<int>& prompt, const GenerateCommand& cmd, int64_t context,
                                       uint64_t inverseTq16, int endOfText) {
  ReferenceGeneration reference;
  const int64_t promptLength = static_cast<int64_t>(prompt.size());
  TensorData logits;
  int64_t row = 0;  // the logits row of the last token read
  while (reference.cached() < promptLength) {
    const int64_t first = reference.cached();
    int64_t rows = prefill ? prefill->signature.newRows : 0;
    if (prefill && first + rows <= context) {
      int64_t count = std::min(rows, promptLength - first);
      std::vector<int> chunk;
      for (int64_t i = 0; i < rows; ++i) chunk.push_back(prompt[static_cast<size_t>(first + std::min(i, count - 1))]);
      logits = reference.run(*prefill, chunk, count);
      row = count - 1;
    } else {
      logits = reference.run(decode, {prompt[static_cast<size_t>(first)]}, 1);
      row = 0;
    }
  }
  std::vector<int> tokens;
  uint32_t random = cmd.seed ? cmd.seed : 1u;
  for (;;) {
    const int64_t vocab = logits.shape().back();
    int current = chooseToken(logits, row * vocab, vocab, inverseTq16, random);
    tokens.push_back(current);
    if (static_cast<int>(tokens.size()) == cmd.tokens || (current == endOfText && !cmd.ignoreEnd) ||
        reference.cached() == context) {
      break;
    }
    logits = reference.run(decode, {current}, 1);
    row = 0;
  }
  return tokens;
}

// siracusa: the decode runs' estimated cycles, and with the platform's energy model tokens/s and uJ/token.
void printCycleEstimates(const Generated& g, const Platform& platform) {
  if (g.decodeCycles.empty() || g.decodeCycles.size() != g.decodeRuns.size()) return;
  uint64_t total = 0, macs = 0;
  for (uint64_t c : g.decodeCycles) total += c;
  for (uint64_t m : g.decodeNpuMacs) macs += m;
  const uint64_t mean = total / g.decodeCycles.size(), meanMacs = macs / g.decodeCycles.size();
  std::printf("decode: estimated cycles per token: mean %llu (a model: the slowest hart's instructions over the step plus "
              "its CV32E40P stalls from the emulator's timing model, hart 0's with its modelled sleep for the DMA and the "
              "NPU; deeploy run --profile adds the slowest hart node by node, which can only be more)\n",
              static_cast<unsigned long long>(mean));
  if (!platform.energy) return;
  const EnergyModel& e = *platform.energy;
  std::printf("decode: estimated %.0f tokens/s and %.1f uJ/token at %s (the platform file's model; the Deeploy paper: "
              "340 tokens/s, 490 uJ/token)\n",
              1.0 / e.seconds(mean), e.microjoules(mean, meanMacs), e.figures().c_str());
}

void printCosts(const GenerateCommand& cmd, const Generated& g) {
  const bool host = cmd.target == "host";
  uint64_t promptCost = 0;
  int64_t promptTokens = 0;
  for (auto [tokens, cost] : g.promptRuns) {
    promptTokens += tokens;
    promptCost += cost;
  }
  if (host) {
    std::printf("prompt: %lld tokens in %zu runs, %.3f ms (%.1f tokens/s)\n", static_cast<long long>(promptTokens),
                g.promptRuns.size(), static_cast<double>(promptCost) / 1e6,
                1e9 * static_cast<double>(promptTokens) / static_cast<double>(std::max<uint64_t>(promptCost, 1)));
  } else {
    std::printf("prompt: %lld tokens in %zu runs, %llu instructions on the busiest core (%.0f per token)\n",
                static_cast<long long>(promptTokens), g.promptRuns.size(), static_cast<unsigned long long>(promptCost),
                static_cast<double>(promptCost) / static_cast<double>(std::max<int64_t>(promptTokens, 1)));
  }
  if (g.decodeRuns.empty()) return;
  uint64_t total = 0, most = 0;
  for (auto [cached, cost] : g.decodeRuns) {
    total += cost;
    most = std::max(most, cost);
  }
  double mean = static_cast<double>(total) / static_cast<double>(g.decodeRuns.size());
  if (host) {
    std::printf("decode: %zu runs; %.1f tokens/s (%.3f ms per run, the slowest %.3f ms)\n", g.decodeRuns.size(), 1e9 / mean,
                mean / 1e6, static_cast<double>(most) / 1e6);
  } else {
    std::printf("decode: %zu runs on %d core(s); instructions per token on the busiest core: mean %.0f; %llu with %lld "
                "tokens cached, %llu with %lld\n",
                g.decodeRuns.size(), cmd.cores, mean, static_cast<unsigned long long>(g.decodeRuns.front().second),
                static_cast<long long>(g.decodeRuns.front().first),
                static_cast<unsigned long long>(g.decodeRuns.back().second), static_cast<long long>(g.decodeRuns.back().first));
  }
}

ReferenceStep referenceStep(const CompiledModel& model, const StepSource& step) {
  return {loadTypedModel(step.onnx, step.typingInputs), *model.kvCache};
}

}  // namespace

int runGenerate(const GenerateCommand& cmd) {
  if (cmd.tokens < 1) throw Error("--tokens must be at least 1");
  ModelFiles files = findModelFiles(cmd);
  const std::unique_ptr<Tokenizer> tokenizer = loadTokenizer(files.tokenizer);
  std::vector<int> prompt = tokenizer->encode(cmd.prompt);
  if (prompt.empty()) throw Error("the prompt gives no tokens");
  const Platform platform = resolvePlatform(cmd.platform, cmd.target);
  StepsProgram p = compileStepsProgram(files.decode, files.prefill, cmd.context, platform, cmd.cores);
  if (static_cast<int64_t>(prompt.size()) >= p.context) {
    throw Error("the prompt's " + std::to_string(prompt.size()) + " tokens fill the context of " + std::to_string(p.context));
  }
  if (p.decodeInterface.vocab != tokenizer->vocabSize()) {
    throw Error("the network has " + std::to_string(p.decodeInterface.vocab) + " logits, the tokenizer " +
                std::to_string(tokenizer->vocabSize()) + " tokens");
  }
  if (cmd.checkReference && cmd.temperature && p.decodeInterface.floatLogits) {
    throw Error("--check-reference with --temperature needs integer logits: float logits differ from the reference "
                "interpreter's in their last bits, which can change a draw");
  }
  const uint64_t inverseTq16 = inverseTemperatureQ16(cmd, files, p.decodeInterface.floatLogits);
  Generated g = generateOnTarget(p, platform, configHeader(p, prompt, cmd, inverseTq16, tokenizer->stopToken()), cmd,
                                 *tokenizer, prompt.back());
  printCosts(cmd, g);
  printCycleEstimates(g, platform);
  if (!cmd.checkReference) return 0;
  std::optional<ReferenceStep> prefillReference;
  if (p.prefill) prefillReference = referenceStep(*p.prefill, *files.prefill);
  std::vector<int> reference = generateWithReference(referenceStep(p.decode, files.decode), prefillReference,
                                                     prompt, cmd, p.context, inverseTq16, tokenizer->stopToken());
  bool same = reference == g.tokens;
  std::printf("reference interpreter: %zu tokens, %s\n", reference.size(),
              same ? "identical to the generated program's" : "DIFFERENT from the generated program's");
  return same ? 0 : 1;
}

}  // namespace deeploy
