#include "support/test_ca.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace yxgate::testing {
namespace {

void run_or_throw(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

}  // namespace

TestCa::TestCa(std::shared_ptr<TestDir> dir, const std::string& name)
    : dir_(dir ? std::move(dir) : std::make_shared<TestDir>()), name_(name) {
  // EC keys: a fraction of RSA's generation time, which CI pays per fixture.
  run_or_throw("cd " + dir_->path().string() +
               " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
               name_ + ".key -out " + name_ + ".pem -days 2 -subj '/CN=yxgate test " + name_ + "'");
}

std::filesystem::path TestCa::issue(const std::string& name, const std::string& san) const {
  const auto d = dir_->path().string();
  std::ofstream(dir_->path() / (name + ".ext")) << "subjectAltName=" << san << "\n";
  run_or_throw("cd " + d +
               " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
               name + ".key -out " + name + ".csr -subj '/CN=" + name +
               "' && openssl x509 -req -in " + name + ".csr -CA " + name_ + ".pem -CAkey " + name_ +
               ".key -CAcreateserial -out " + name + ".pem -days 2 -extfile " + name + ".ext");
  return cert(name);
}

}  // namespace yxgate::testing
