#pragma once
// cmd("SET", key, value) -> std::vector<std::string>, for
// RedisConnection::command().
//
// Why not command({"SET", key, value})? g++ 12 rejects a braced list inside
// a co_await expression ("array used as initializer", a compiler bug with
// initializer_list temporaries in coroutines). Building the vector in this
// ordinary function sidesteps it.
#include <string>
#include <utility>
#include <vector>

namespace yxgate::redis {

template <class... Parts>
std::vector<std::string> cmd(Parts&&... parts) {
  std::vector<std::string> args;
  args.reserve(sizeof...(parts));
  (args.emplace_back(std::forward<Parts>(parts)), ...);
  return args;
}

}  // namespace yxgate::redis
