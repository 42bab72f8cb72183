// deeploy: compiles ONNX networks into statically planned C and runs and checks them.
#include <CLI/CLI.hpp>
#include <iostream>

#include "ir/error.h"
#include "targets/run_target.h"
#include "tools/commands.h"
#include "tools/generate.h"
#include "tools/quantize.h"
#include "tools/score.h"

int main(int argc, char** argv) {
  using namespace deeploy;
  CLI::App app{"deeploy: ONNX networks to statically planned C for microcontrollers"};
  app.require_subcommand(1);
  const std::map<std::string, Engine> engines{{"c", Engine::C}, {"reference", Engine::Reference}};
  const char* kTargetHelp =
      "Where the program runs: host, rv32 (bare metal on QEMU virt), siracusa (the emulated Siracusa-class "
      "cluster: RV32 harts with the Xpulp/CORE-V extensions, a cluster DMA and an NPU, tiled into L1 unless --untiled), "
      "cortex-m4 or cortex-m55 (bare metal on QEMU's mps2-an386 and mps3-an547); siracusa and the Cortex-M "
      "targets imply their platform";
  auto addPlatformOptions = [](CLI::App* command, PlatformChoice& choice) {
    command->add_option("--platform", choice.fileOrName,
                        "Platform to compile for: a built-in name (host, siracusa, mcu, cortex-m4, cortex-m55) or a "
                        "platform JSON file (default: the target's, else host)");
    command->add_option("--l1", choice.l1Bytes, "Size in bytes of the platform's level L1 (replaces the file's)");
    command->add_option("--l2", choice.l2Bytes, "Size in bytes of the platform's level L2 (replaces the file's)");
    command->add_flag("--untiled", choice.untiled,
                      "Compute every node straight from the activation level (no tiling into L1, no DMA)");
    auto* wide = command->add_flag_callback(
        "--int16-weights", [&choice] { choice.int16Weights = true; },
        "Store constant int8 weights of Gemm/MatMul widened to int16 (twice the bytes, faster DSP kernels; "
        "the default of platforms with \"int16_weights\": true, such as cortex-m4)");
    auto* narrow = command->add_flag_callback("--int8-weights", [&choice] { choice.int16Weights = false; },
                                              "Keep constant int8 weights as int8 (replaces the platform's choice)");
    wide->excludes(narrow);
    const std::map<std::string, NpuPolicy> policies{{"off", NpuPolicy::Off}, {"auto", NpuPolicy::Auto}, {"all", NpuPolicy::All}};
    command->add_option("--npu", choice.npu,
                        "Which nodes the platform's NPU runs: auto (default: where its modelled cycles are fewer than "
                        "the cores' estimate), all (every node it can run), off (none); siracusa has one")
        ->transform(CLI::CheckedTransformer(policies, CLI::ignore_case));
    command->add_option("--npu-node", choice.npuNodes,
                        "Put the node of this name on the NPU whatever --npu says (repeatable); an error when the NPU "
                        "cannot run it");
  };

  CompileCommand compile;
  auto* c = app.add_subcommand("compile", "Generate C (network.h, network.c, the kernel library) and a memory report");
  c->add_option("model", compile.model, "ONNX model")->required()->check(CLI::ExistingFile);
  c->add_option("-o,--output", compile.outputDir, "Output directory")->required();
  c->add_option("--target", compile.target, kTargetHelp)->check(CLI::IsMember(targetNames()));
  c->add_option("--inputs", compile.inputsNpz, "Input arrays (.npz) used to type the inputs")->check(CLI::ExistingFile);
  c->add_option("--report", compile.reportPath,
                 "Write the JSON report here (default DIR/report.json), the text table beside it as .txt; a FILE.html "
                 "gets the visual report (memory maps, tiling, engines) instead, the JSON and text going to DIR");
  c->add_option("--cores", compile.cores, "Cores the generated code splits each node's work among (fork/join)")
      ->check(CLI::Range(1, 8));
  c->add_option("--context", compile.context,
                "Compile a decode/prefill step as a step over persistent KV caches of this many rows")
      ->check(CLI::PositiveNumber);
  addPlatformOptions(c, compile.platform);

  RunCommand run;
  auto* r = app.add_subcommand("run", "Compile, build and run a network on inputs from an npz file");
  r->add_option("model", run.model, "ONNX model")->required()->check(CLI::ExistingFile);
  r->add_option("--inputs", run.inputsNpz, "Input arrays (.npz)")->required()->check(CLI::ExistingFile);
  r->add_option("-o,--output", run.outputsNpz, "Write the outputs to this .npz file");
  r->add_option("--target", run.target, kTargetHelp)->check(CLI::IsMember(targetNames()));
  r->add_option("--engine", run.engine, "c: generated C; reference: the reference interpreter")
      ->transform(CLI::CheckedTransformer(engines, CLI::ignore_case));
  r->add_option("--keep", run.keepDir, "Keep the generated program in this directory");
  r->add_option("--cores", run.cores, "Cores the generated code splits each node's work among; with --target rv32 or siracusa also the harts QEMU starts")
      ->check(CLI::Range(1, 8));
  r->add_flag("--profile", run.profile,
              "On rv32, siracusa, cortex-m4 and cortex-m55: print the instructions per layer and per inference "
              "(counted under QEMU), on siracusa also the cluster DMA's modelled cycles");
  r->add_option("--report", run.reportPath,
                "Write a report: FILE.html the visual one (memory maps, tiling, engines, with --profile the counts per "
                "node), any other name the JSON report with the text table beside it (.txt)");
  addPlatformOptions(r, run.platform);

  TestCommand test;
  auto* t = app.add_subcommand("test", "Build, run and check test networks (network.onnx, inputs.npz, outputs.npz)");
  t->add_option("paths", test.paths, "Test folders, or folders searched for them")->required();
  t->add_option("--exclude", test.excludes, "Skip tests whose path contains this text (repeatable)");
  t->add_option("--target", test.target, kTargetHelp)->check(CLI::IsMember(targetNames()));
  t->add_option("--engine", test.engine, "c: generated C; reference: the reference interpreter")
      ->transform(CLI::CheckedTransformer(engines, CLI::ignore_case));
  t->add_option("-j,--jobs", test.jobs, "Tests run in parallel (default: one per core)")->check(CLI::NonNegativeNumber);
  t->add_flag("--sanitize", test.sanitize, "Build the generated C with AddressSanitizer and UBSan");
  t->add_option("--cores", test.cores, "Cores the generated code splits each node's work among; with --target rv32 or siracusa also the harts QEMU starts")
      ->check(CLI::Range(1, 8));
  t->add_flag("--allow-too-small", test.allowInfeasible,
              "Report networks that need a larger L1 than given as TOO SMALL instead of failing");
  t->add_option("--max-plan-ratio", test.maxPlanRatio,
                 "Fail a network whose activation arena or tile buffers exceed this multiple of their lower bound")
      ->check(CLI::Range(1.0, 1000.0));
  t->add_option("--context", test.context,
                "Compile each network as a step over persistent KV caches of this many rows and run it at the "
                "test's own cache length")
      ->check(CLI::PositiveNumber);
  t->add_option("--rtol", test.relativeTolerance,
                "Relative tolerance of floats: an element passes within max(1e-4, RTOL * |expected|) (default 0: "
                "the absolute 1e-4 alone)")
      ->check(CLI::NonNegativeNumber);
  t->add_option("--int-tolerance", test.integerTolerance,
                "Integers pass within this distance of the expected value (default 0: exactly; 1 accepts one "
                "quantization step, e.g. against onnxruntime's rounding)")
      ->check(CLI::NonNegativeNumber);
  addPlatformOptions(t, test.platform);

  GenerateCommand generate;
  auto* g = app.add_subcommand("generate", "Generate text with a KV-cache step network (compiled, built and run)");
  g->add_option("model", generate.model, "The decode step's ONNX file, or a folder holding network.onnx")->required();
  g->add_option("--prefill", generate.prefill,
                "A prefill step over the same caches (file or folder): the prompt is read with it, several tokens per run");
  g->add_option("--prompt", generate.prompt, "Text to continue")->required();
  g->add_option("--tokens", generate.tokens, "Tokens to generate (fewer at the end-of-text token)")->check(CLI::Range(1, 100000));
  g->add_option("--target", generate.target, kTargetHelp)->check(CLI::IsMember(targetNames()));
  g->add_option("--cores", generate.cores, "Cores the generated code splits each node's work among; with --target rv32 or siracusa also the harts QEMU starts")
      ->check(CLI::Range(1, 8));
  g->add_option("--seed", generate.seed, "Seed of the sampler (with --temperature)");
  g->add_option("--temperature", generate.temperature, "Sample at this temperature instead of taking the largest logit");
  g->add_option("--context", generate.context, "Cache capacity in tokens (default: the decode step's cached rows + 1)")->check(CLI::Range(2, 65536));
  g->add_option("--tokenizer", generate.tokenizer, "The tokenizer: a models/fortunes tokenizer.json or a llama2.c tokenizer.bin (default: tokenizer.json or tokenizer.bin beside the step or in its parent folder, else the file its generation.json names)");
  g->add_flag("--ignore-end", generate.ignoreEnd, "Go on generating past the end-of-text token");
  g->add_flag("--check-reference", generate.checkReference,
              "Also generate with the reference interpreter and fail unless the tokens are identical");
  addPlatformOptions(g, generate.platform);

  QuantizeCommand quantize;
  auto* qu = app.add_subcommand("quantize", "Post-training quantization of a float network into the integer dialect");
  qu->add_option("model", quantize.model, "Float ONNX model")->required()->check(CLI::ExistingFile);
  qu->add_option("--calibration", quantize.calibration,
                 "Calibration inputs (.npz): one array per graph input, samples stacked along a new first axis")
      ->required()
      ->check(CLI::ExistingFile);
  qu->add_option("--validation", quantize.validation, "Inputs (.npz, the same layout) on which the error is also reported")
      ->check(CLI::ExistingFile);
  qu->add_option("-o,--output", quantize.output, "The quantized ONNX model to write")->required();

  ScoreCommand score;
  auto* sc = app.add_subcommand("score", "Mean negative log-likelihood of token sequences under a KV-cache step (compiled, built and run)");
  sc->add_option("model", score.model, "The decode step's ONNX file, or a folder holding network.onnx")->required();
  sc->add_option("--prefill", score.prefill, "A prefill step over the same caches (file or folder): reads the sequences several tokens per run");
  sc->add_option("--tokens", score.tokens, "An .npz with int32 'tokens' [sequences, length]: BOS first, -1 after the end")
      ->required()
      ->check(CLI::ExistingFile);
  auto* first = sc->add_option("--first", score.first, "Score only the first K sequences")->check(CLI::PositiveNumber);
  sc->add_option("--last", score.last, "Score only the last K sequences")->check(CLI::PositiveNumber)->excludes(first);
  sc->add_option("--context", score.context, "Cache capacity in tokens (default: the sequences' length)")->check(CLI::Range(2, 65536));
  sc->add_option("--target", score.target, kTargetHelp)->check(CLI::IsMember(targetNames()));
  sc->add_option("--cores", score.cores, "Cores the generated code splits each node's work among; with --target rv32 or siracusa also the harts QEMU starts")
      ->check(CLI::Range(1, 8));
  addPlatformOptions(sc, score.platform);

  CLI11_PARSE(app, argc, argv);
  try {
    if (c->parsed()) return runCompile(compile);
    if (r->parsed()) return runRun(run);
    if (t->parsed()) return runTest(test);
    if (g->parsed()) return runGenerate(generate);
    if (sc->parsed()) return runScore(score);
    if (qu->parsed()) return runQuantize(quantize);
  } catch (const Error& e) {
    std::cerr << "deeploy: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "deeploy: internal error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
