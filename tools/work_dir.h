// A fresh temporary directory, removed on destruction unless the user asked to keep it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "ir/error.h"

namespace deeploy {

class WorkDir {
 public:
  explicit WorkDir(const std::optional<std::string>& keep) {
    if (keep) {
      path_ = *keep;
      std::filesystem::create_directories(path_);
      kept_ = true;
      return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "deeploy-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw Error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    if (!kept_) std::filesystem::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool kept_ = false;
};

}  // namespace deeploy
