// Structural checks of the Dockerfile (no docker engine here): two stages on
// Debian 12, the build stage runs CI's dependency script, the runtime stage is
// non-root and installs a package for every shared library the built yxgate
// links (ldd + dpkg -S on this Debian 12 machine), and .dockerignore keeps
// build folders out of the context.
#include <fnmatch.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ops/ops_support.hpp"

namespace yxgate::ops {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Instruction {
  std::string keyword;  // upper case
  std::string args;     // continuation lines joined
};

struct Stage {
  std::string image;
  std::string name;
  std::vector<Instruction> instructions;

  std::vector<std::string> all(const std::string& keyword) const {
    std::vector<std::string> out;
    for (const auto& i : instructions) {
      if (i.keyword == keyword) out.push_back(i.args);
    }
    return out;
  }
  std::string last(const std::string& keyword) const {
    const auto v = all(keyword);
    return v.empty() ? std::string() : v.back();
  }
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Instructions in order; comments dropped, `\` continuations joined. Returns
// the stages (the instructions before the first FROM, ARGs, are ignored).
std::vector<Stage> parse_dockerfile(const std::string& text) {
  std::vector<Instruction> instructions;
  std::istringstream in(text);
  std::string line;
  std::string pending;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;  // comments may sit inside a continued RUN too
    pending += (pending.empty() ? "" : " ") + t;
    if (pending.back() == '\\') {
      pending.pop_back();
      continue;
    }
    const auto space = pending.find_first_of(" \t");
    Instruction ins;
    ins.keyword = pending.substr(0, space);
    std::transform(ins.keyword.begin(), ins.keyword.end(), ins.keyword.begin(), ::toupper);
    ins.args = space == std::string::npos ? "" : trim(pending.substr(space + 1));
    instructions.push_back(std::move(ins));
    pending.clear();
  }
  std::vector<Stage> stages;
  static const std::regex kFrom(R"(^(?:--platform=\S+\s+)?(\S+)(?:\s+[Aa][Ss]\s+(\S+))?$)");
  for (auto& ins : instructions) {
    if (ins.keyword == "FROM") {
      std::smatch m;
      Stage stage;
      if (std::regex_match(ins.args, m, kFrom)) {
        stage.image = m[1];
        stage.name = m[2];
      }
      stages.push_back(std::move(stage));
    } else if (!stages.empty()) {
      stages.back().instructions.push_back(std::move(ins));
    }
  }
  return stages;
}

// Packages named by `apt-get install` in the RUN instructions of a stage.
std::set<std::string> apt_installed_packages(const Stage& stage) {
  std::set<std::string> packages;
  for (const auto& run : stage.all("RUN")) {
    std::istringstream words(run);
    std::string w;
    bool in_install = false;
    while (words >> w) {
      if (w == "&&" || w == ";" || w == "||" || w == "|") {
        in_install = false;
      } else if (w == "install") {
        in_install = true;
      } else if (in_install && !w.starts_with("-") && !w.empty()) {
        packages.insert(w);
      }
    }
  }
  return packages;
}

const Stage* find_stage(const std::vector<Stage>& stages, const std::string& image) {
  for (const auto& s : stages) {
    if (s.image == image) return &s;
  }
  return nullptr;
}

class DockerfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stages_ = parse_dockerfile(read_text(source_dir() / "Dockerfile"));
    build_ = find_stage(stages_, "debian:12");
    runtime_ = find_stage(stages_, "debian:12-slim");
    ASSERT_NE(build_, nullptr) << "no FROM debian:12";
    ASSERT_NE(runtime_, nullptr) << "no FROM debian:12-slim";
  }
  std::vector<Stage> stages_;
  const Stage* build_ = nullptr;
  const Stage* runtime_ = nullptr;
};

TEST_F(DockerfileTest, TwoStagesBuildOnDebian12RuntimeOnSlim) {
  ASSERT_EQ(stages_.size(), 2u);
  EXPECT_EQ(stages_[0].image, "debian:12");
  EXPECT_FALSE(stages_[0].name.empty()) << "the build stage is named, COPY --from uses it";
  EXPECT_EQ(stages_[1].image, "debian:12-slim");
}

TEST_F(DockerfileTest, BuildStageRunsCiDependencyScriptAndBuildsRelease) {
  const auto runs = build_->all("RUN");
  const bool runs_script = std::any_of(runs.begin(), runs.end(), [](const std::string& r) {
    return r.find("scripts/install-deps.sh") != std::string::npos;
  });
  EXPECT_TRUE(runs_script) << "the build stage must run scripts/install-deps.sh (what CI runs)";
  std::string all_runs;
  for (const auto& r : runs) all_runs += r + "\n";
  EXPECT_THAT(all_runs, HasSubstr("-DCMAKE_BUILD_TYPE=Release"));
  EXPECT_THAT(all_runs, HasSubstr("-DBUILD_TESTING=OFF"));
  EXPECT_TRUE(std::regex_search(
      all_runs, std::regex(R"(ninja\b[^\n&]*\byxgate\b[^\n&]*\byxgate-emulator\b)")))
      << all_runs;
  // Only a script that exists can be copied in and run.
  EXPECT_TRUE(fs::exists(source_dir() / "scripts/install-deps.sh"));
}

TEST_F(DockerfileTest, RuntimeStageIsNonRootWithEntrypointPortsAndBinaries) {
  const std::string user = runtime_->last("USER");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(user, m, std::regex(R"((\d+)(?::(\d+))?)")))
      << "runtime USER must be numeric (runAsNonRoot can only verify a numeric uid): " << user;
  EXPECT_NE(std::stoi(m[1]), 0);
  EXPECT_EQ(m[1], "10001");

  EXPECT_EQ(runtime_->last("ENTRYPOINT"), R"(["/usr/local/bin/yxgate"])");
  EXPECT_EQ(runtime_->last("CMD"), R"(["--config", "/etc/yxgate/yxgate.yaml"])");
  std::set<std::string> exposed;
  for (const auto& e : runtime_->all("EXPOSE")) {
    std::istringstream words(e);
    std::string w;
    while (words >> w) exposed.insert(w);
  }
  EXPECT_EQ(exposed, (std::set<std::string>{"8080", "9901"}));

  bool copies_yxgate = false;
  for (const auto& c : runtime_->all("COPY")) {
    if (c.find("--from=" + build_->name) != std::string::npos &&
        c.ends_with("/usr/local/bin/yxgate")) {
      copies_yxgate = true;
    }
  }
  EXPECT_TRUE(copies_yxgate) << "COPY --from=" << build_->name << " ... /usr/local/bin/yxgate";

  // Nothing build-time in the runtime image.
  for (const auto& p : apt_installed_packages(*runtime_)) {
    EXPECT_FALSE(p.ends_with("-dev")) << p;
    EXPECT_NE(p, "build-essential");
  }
}

// What `ldd BINARY` resolves: "libfoo.so.1 => /path (0x...)".
std::vector<std::string> shared_libraries(const std::string& binary) {
  const auto r = run_command("ldd " + shell_quote(binary));
  EXPECT_EQ(r.status, 0) << r.output;
  std::vector<std::string> paths;
  static const std::regex kLine(R"(^\s*(\S+)\s+=>\s+(/\S+))");
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_EQ(line.find("not found"), std::string::npos) << line;
    std::smatch m;
    if (std::regex_search(line, m, kLine)) paths.push_back(m[2]);
  }
  return paths;
}

bool is_base_library(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  // Sanitizer runtimes appear only in the ASan/UBSan test build, never in the image.
  for (const char* base : {"libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux",
                           "linux-vdso", "libpthread.so", "libdl.so", "librt.so", "libasan.so",
                           "libubsan.so", "libtsan.so", "liblsan.so"}) {
    if (name.starts_with(base)) return true;
  }
  return false;
}

// The Debian package owning `path` (usrmerge: try /lib and /usr/lib forms and
// the resolved file), without the ":arch" suffix.
std::string owning_package(const std::string& path) {
  std::vector<std::string> candidates{path};
  if (path.starts_with("/usr/")) {
    candidates.push_back(path.substr(4));
  } else {
    candidates.push_back("/usr" + path);
  }
  std::error_code ec;
  const auto real = fs::canonical(path, ec);
  if (!ec) {
    candidates.push_back(real.string());
    const auto r = real.string();
    candidates.push_back(r.starts_with("/usr/") ? r.substr(4) : "/usr" + r);
  }
  for (const auto& c : candidates) {
    const auto r = run_command("dpkg -S " + shell_quote(c));
    if (r.status != 0) continue;
    // "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3"
    const auto colon = r.output.find(':');
    if (colon == std::string::npos) continue;
    return r.output.substr(0, colon);
  }
  return {};
}

TEST_F(DockerfileTest, RuntimeStageInstallsAPackageForEverySharedLibrary) {
  ASSERT_FALSE(find_in_path("dpkg").empty()) << "needs dpkg (a Debian build machine)";
  const auto runtime_packages = apt_installed_packages(*runtime_);
  ASSERT_FALSE(runtime_packages.empty()) << "the runtime stage installs no package";
  EXPECT_THAT(runtime_packages, Contains("ca-certificates")) << "https upstreams need the CA store";

  int checked = 0;
  for (const std::string binary : {YXGATE_BIN, YXGATE_EMULATOR_BIN}) {
    for (const auto& lib : shared_libraries(binary)) {
      if (is_base_library(lib)) continue;
      const auto package = owning_package(lib);
      ASSERT_FALSE(package.empty()) << "dpkg -S knows no package for " << lib;
      EXPECT_THAT(runtime_packages, Contains(package))
          << fs::path(binary).filename() << " links " << lib << " from package " << package
          << ", which the runtime stage does not install";
      ++checked;
    }
  }
  EXPECT_GE(checked, 5) << "ldd found too few libraries: is the binary static?";
}

TEST_F(DockerfileTest, ParserUnderstandsContinuationsAndInstallLists) {
  const auto stages = parse_dockerfile(
      "# c\nFROM debian:12 AS b\nRUN apt-get update \\\n"
      "  # inline comment\n"
      " && apt-get install -y --no-install-recommends foo \\\n      bar && rm -rf x\n"
      "FROM debian:12-slim\nUSER 10001\n");
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].name, "b");
  EXPECT_THAT(apt_installed_packages(stages[0]), ElementsAre("bar", "foo"));
  EXPECT_EQ(stages[1].last("USER"), "10001");
}

// .dockerignore: Go filepath.Match patterns, one a line; "!" re-includes.
bool docker_ignored(const std::vector<std::string>& patterns, const std::string& path) {
  bool ignored = false;
  for (auto p : patterns) {
    const bool negate = p.starts_with("!");
    if (negate) p = p.substr(1);
    while (p.starts_with("/")) p = p.substr(1);
    while (p.size() > 1 && p.ends_with("/")) p.pop_back();
    bool match = ::fnmatch(p.c_str(), path.c_str(), FNM_PATHNAME) == 0;
    if (!match && p.starts_with("**/")) {
      // "**/x" matches x at any depth.
      const auto sub = p.substr(3);
      for (std::size_t pos = 0;;) {
        if (::fnmatch(sub.c_str(), path.substr(pos).c_str(), FNM_PATHNAME) == 0) {
          match = true;
          break;
        }
        pos = path.find('/', pos);
        if (pos == std::string::npos) break;
        ++pos;
      }
    }
    if (match) ignored = !negate;
  }
  return ignored;
}

TEST(DockerfileContextTest, DockerignoreExcludesBuildFoldersAndKeepsSources) {
  std::vector<std::string> patterns;
  std::istringstream in(read_text(source_dir() / ".dockerignore"));
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (!line.empty() && line[0] != '#') patterns.push_back(line);
  }
  for (const char* path : {"build", "build-release", "build-asan", ".git", ".cache",
                           "tests/ops/k8s-validate/node_modules"}) {
    EXPECT_TRUE(docker_ignored(patterns, path)) << path << " should be excluded";
  }
  for (const char* path :
       {"CMakeLists.txt", "src", "emulator", "scripts", "scripts/install-deps.sh", "config"}) {
    EXPECT_FALSE(docker_ignored(patterns, path)) << path << " is needed by the build";
  }
}

}  // namespace
}  // namespace yxgate::ops
