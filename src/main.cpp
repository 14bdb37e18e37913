#include <cstdio>
#include "version.hpp"
int main() { std::printf("yxgate %s\n", yxgate::kVersion); }
