#pragma once
// A metric family: one name, one HELP, fixed label names, one child per
// distinct combination of label values.
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/text_format.hpp"

namespace yxgate::metrics {

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type,
             std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(std::move(type)),
        label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::string& type() const { return type_; }  // counter | gauge | histogram
  const std::vector<std::string>& label_names() const { return label_names_; }

  // HELP, TYPE and every sample.
  void render(std::string& out) const {
    text::write_header(out, name_, help_, type_);
    render_samples(out);
  }

 protected:
  virtual void render_samples(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  std::string type_;
  std::vector<std::string> label_names_;
};

// Orders label-value lists; also compares stored lists with borrowed
// string_view lists, so a lookup of an existing child allocates nothing.
struct LabelValuesLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

// T is Counter, Gauge or Histogram.
template <class T>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  Family(std::string name, std::string help, std::string type, std::vector<std::string> label_names,
         Factory make)
      : FamilyBase(std::move(name), std::move(help), std::move(type), std::move(label_names)),
        make_(std::move(make)) {
    // A family without labels has exactly one child; create it so it shows as 0 from the start.
    if (this->label_names().empty()) with({});
  }

  // The child for these label values (in label-name order), created on first
  // use. The reference stays valid for the family's lifetime: cache it on hot
  // paths, since this lookup takes a mutex. A wrong number of values is a
  // programming error: std::invalid_argument.
  T& with(std::initializer_list<std::string_view> label_values) {
    {
      std::lock_guard lock(mu_);
      if (auto it = children_.find(label_values); it != children_.end()) return *it->second;
    }
    return with_values(std::vector<std::string>(label_values.begin(), label_values.end()));
  }

  T& with_values(std::vector<std::string> label_values) {
    if (label_values.size() != label_names().size()) {
      throw std::invalid_argument(name() + ": expected " + std::to_string(label_names().size()) +
                                  " label values, got " + std::to_string(label_values.size()));
    }
    std::lock_guard lock(mu_);
    auto& child = children_[std::move(label_values)];
    if (!child) child = make_();
    return *child;
  }

 protected:
  void render_samples(std::string& out) const override {
    std::lock_guard lock(mu_);
    for (const auto& [values, child] : children_) {
      text::write_child(out, name(), label_names(), values, *child);
    }
  }

 private:
  mutable std::mutex mu_;
  // Sorted: stable output.
  std::map<std::vector<std::string>, std::unique_ptr<T>, LabelValuesLess> children_;
  Factory make_;
};

// A single unlabelled value computed at render time (process stats, sizes
// owned by another component).
class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, std::string type, std::function<double()> fn)
      : FamilyBase(std::move(name), std::move(help), std::move(type), {}), fn_(std::move(fn)) {}

  void set_callback(std::function<double()> fn) {
    std::lock_guard lock(mu_);
    fn_ = std::move(fn);
  }

 protected:
  void render_samples(std::string& out) const override {
    std::lock_guard lock(mu_);
    text::write_sample(out, name(), {}, {}, fn_());
  }

 private:
  mutable std::mutex mu_;
  std::function<double()> fn_;
};

}  // namespace yxgate::metrics
