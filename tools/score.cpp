#include "tools/score.h"

#include <cstdio>
#include <sstream>

#include "ir/error.h"
#include "targets/process.h"
#include "tools/step_program.h"
#include "tools/work_dir.h"

namespace fs = std::filesystem;

namespace deeploy {

namespace {

constexpr double kScoreTimeoutSeconds = 4 * 3600;

struct Sequences {
  int64_t firstRow = 0;  // in the file
  int64_t count = 0, length = 0;
  std::vector<int32_t> tokens;  // count x length
};

// The npz's `tokens` (or its only array), the rows --first / --last pick.
Sequences readSequences(const ScoreCommand& cmd) {
  const NamedArrays arrays = readNpz(cmd.tokens);
  const TensorData* tokens = arrays.size() == 1 ? &arrays[0].second : nullptr;
  for (const auto& [name, array] : arrays) {
    if (name == "tokens") tokens = &array;
  }
  if (!tokens) throw Error("'" + cmd.tokens + "' has no array 'tokens'");
  if (tokens->shape().size() != 2 || !isInteger(tokens->dtype())) {
    throw Error("'" + cmd.tokens + "': tokens must be integers [sequences, length], not " + shapeToString(tokens->shape()));
  }
  const int64_t rows = tokens->shape()[0], length = tokens->shape()[1];
  int64_t begin = 0, end = rows;
  if (cmd.first) end = std::min<int64_t>(*cmd.first, rows);
  if (cmd.last) begin = std::max<int64_t>(rows - *cmd.last, 0);
  Sequences s{begin, end - begin, length, {}};
  if (s.count < 1 || length < 2) throw Error("'" + cmd.tokens + "' gives no sequence of two tokens or more to score");
  for (int64_t r = begin; r < end; ++r) {
    for (int64_t p = 0; p < length; ++p) {
      const int64_t id = tokens->getInt(r * length + p);
      if (id < -1 || id > INT32_MAX) {
        throw Error("'" + cmd.tokens + "': sequence " + std::to_string(r) + " has token " + std::to_string(id) + " at " +
                    std::to_string(p) + " (-1 pads the end)");
      }
      s.tokens.push_back(static_cast<int32_t>(id));
    }
  }
  return s;
}

void requireVocabulary(const Sequences& s, int64_t vocab, const std::string& file) {
  for (size_t i = 0; i < s.tokens.size(); ++i) {
    if (s.tokens[i] >= vocab) {
      throw Error("'" + file + "': token " + std::to_string(s.tokens[i]) + " (sequence " +
                  std::to_string(s.firstRow + static_cast<int64_t>(i) / s.length) + ") is outside the step's " +
                  std::to_string(vocab) + " logits");
    }
  }
}

// The device loop reads every token of a sequence but its last: they must fit the caches.
void requireCapacity(const Sequences& s, int64_t context) {
  for (int64_t r = 0; r < s.count; ++r) {
    int64_t read = 0;
    while (read < s.length && s.tokens[static_cast<size_t>(r * s.length + read)] >= 0) ++read;
    if (read - 1 > context) {
      throw Error("sequence " + std::to_string(s.firstRow + r) + " has " + std::to_string(read) +
                  " tokens: more than --context " + std::to_string(context) + " + 1");
    }
  }
}

std::string configHeader(const StepsProgram& steps, const Sequences& s, double logitScale) {
  std::ostringstream h;
  h.precision(17);
  h << "/* Written by deeploy score. */\n#define DP_SCORE_SEQUENCES " << s.count << "\n#define DP_SCORE_LENGTH " << s.length
    << "\n#define DP_SCORE_LOGIT_SCALE " << logitScale << "\n#define DP_SCORE_TOKENS { \\\n";
  for (int64_t r = 0; r < s.count; ++r) {
    h << "  {";
    for (int64_t p = 0; p < s.length; ++p) h << (p ? ", " : "") << s.tokens[static_cast<size_t>(r * s.length + p)];
    h << (r + 1 < s.count ? "}, \\\n" : "}}\n");
  }
  h << stepMacros(steps);
  return h.str();
}

struct Score {
  int64_t firstRow = 0;
  ScoreResult result;
  int64_t runs = 0;
};

// "DP_SCORE <sequence> <predicted> <sum>" per sequence (runtime/generate/generate.c).
void parseScoreLine(const std::string& line, Score& total) {
  std::istringstream fields(line);
  std::string tag;
  long long sequence = 0, predicted = 0;
  double sum = 0;
  if (line.rfind("DP_GEN prompt", 0) == 0) ++total.runs;
  if (!(fields >> tag >> sequence >> predicted >> sum) || tag != "DP_SCORE") return;
  std::printf("sequence %lld: %lld tokens, mean NLL %.4f nats/token\n", sequence + static_cast<long long>(total.firstRow), predicted,
              predicted ? sum / static_cast<double>(predicted) : 0.0);
  std::fflush(stdout);
  total.result.predicted += predicted;
  total.result.negativeLogLikelihood += sum;
}

}  // namespace

ScoreResult scoreSequences(const ScoreCommand& cmd) {
  if (cmd.first && cmd.last) throw Error("give --first or --last, not both");
  const Sequences sequences = readSequences(cmd);
  const StepSource decode = loadStepSource(cmd.model);
  std::optional<StepSource> prefill;
  if (cmd.prefill) prefill = loadStepSource(*cmd.prefill);
  const Platform platform = resolvePlatform(cmd.platform, cmd.target);
  const int64_t context = cmd.context.value_or(sequences.length);
  requireCapacity(sequences, context);
  const StepsProgram steps = compileStepsProgram(decode, prefill, context, platform, cmd.cores);
  requireVocabulary(sequences, steps.decodeInterface.vocab, cmd.tokens);
  std::optional<std::string> generation;
  if (auto found = besideStep(fs::path(decode.onnx).parent_path(), "generation.json")) generation = found->string();
  const double scale = logitScale(generation, steps.decodeInterface.floatLogits, "deeploy score");

  WorkDir work(std::nullopt);
  const TargetProgram program =
      buildDeviceLoop(work.path(), steps, configHeader(steps, sequences, scale), cmd.target, platform, cmd.cores);
  Score total;
  total.firstRow = sequences.firstRow;
  ProcessResult r = runProcess(program.command, kScoreTimeoutSeconds, [&](const std::string& line) { parseScoreLine(line, total); });
  if (r.timedOut || r.exitCode != 0) throw Error("the scoring program failed:\n" + r.output);
  if (total.result.predicted == 0) throw Error("the scoring program predicted no token");
  std::printf("%lld runs over %lld sequences\n", static_cast<long long>(total.runs), static_cast<long long>(sequences.count));
  return total.result;
}

int runScore(const ScoreCommand& cmd) {
  const ScoreResult result = scoreSequences(cmd);
  std::printf("mean NLL %.4f nats/token over %lld tokens\n", result.mean(), static_cast<long long>(result.predicted));
  return 0;
}

}  // namespace deeploy
