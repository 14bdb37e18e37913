#pragma once
// A throw-away certificate authority for a test, made with the openssl CLI
// in a TestDir: ca.pem, and NAME.pem / NAME.key per issued certificate.
#include <filesystem>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace yxgate::testing {

class TestCa {
 public:
  // Creates the CA (throws std::runtime_error if openssl fails). Its files go
  // to `dir` (shared with the processes that use them) or a new TestDir.
  explicit TestCa(std::shared_ptr<TestDir> dir = nullptr, const std::string& name = "ca");

  // Issues NAME.pem/NAME.key signed by this CA, with subjectAltName `san`
  // (e.g. "DNS:localhost,IP:127.0.0.1"). Returns the certificate's path.
  std::filesystem::path issue(const std::string& name, const std::string& san) const;

  std::filesystem::path ca_file() const { return dir_->path() / (name_ + ".pem"); }
  std::filesystem::path cert(const std::string& name) const {
    return dir_->path() / (name + ".pem");
  }
  std::filesystem::path key(const std::string& name) const {
    return dir_->path() / (name + ".key");
  }
  const std::shared_ptr<TestDir>& dir() const { return dir_; }

 private:
  std::shared_ptr<TestDir> dir_;
  std::string name_;
};

}  // namespace yxgate::testing
