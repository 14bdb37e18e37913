// RFC 9112 §6 framing decisions (SPEC §11.1), the pure half of the request
// reader: what is refused before Beast's reading is trusted.
#include "frontdoor/request_framing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace yxgate::frontdoor {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

FramingDecision decide(const Fields& fields, unsigned version = 11) {
  FramingCheck check(version);
  check.add_field("Host", "x");
  for (const auto& [name, value] : fields) check.add_field(name, value);
  return check.decision();
}

TEST(RequestFraming, NoBodyFieldsMeanNoBody) {
  const auto d = decide({{"X-A", "1"}});
  ASSERT_TRUE(d.ok()) << d.refusal;
  EXPECT_EQ(d.framing, BodyFraming::kNone);
}

TEST(RequestFraming, ContentLengthIsTheLength) {
  const auto d = decide({{"content-length", "0042"}});
  ASSERT_TRUE(d.ok()) << d.refusal;
  EXPECT_EQ(d.framing, BodyFraming::kContentLength);
  EXPECT_EQ(d.content_length, 42u);
}

TEST(RequestFraming, IdenticalRepeatedContentLengthsReadAsOne) {
  const auto d = decide({{"Content-Length", "5"}, {"Content-Length", "5, 5"}});
  ASSERT_TRUE(d.ok()) << d.refusal;
  EXPECT_EQ(d.content_length, 5u);
  EXPECT_FALSE(decide({{"Content-Length", "5"}, {"Content-Length", "05"}}).ok());
}

TEST(RequestFraming, InvalidOrDifferingContentLengthsAreRefused) {
  for (const auto& fields : std::vector<Fields>{{{"Content-Length", "5"}, {"Content-Length", "6"}},
                                                {{"Content-Length", "5, 6"}},
                                                {{"Content-Length", "+5"}},
                                                {{"Content-Length", "-1"}},
                                                {{"Content-Length", "0x10"}},
                                                {{"Content-Length", ""}},
                                                {{"Content-Length", "5 5"}},
                                                {{"Content-Length", "5,"}},
                                                {{"Content-Length", "99999999999999999999999"}}}) {
    EXPECT_FALSE(decide(fields).ok()) << fields.front().second;
  }
}

TEST(RequestFraming, ChunkedAloneIsChunked) {
  for (auto value : {"chunked", "Chunked", "CHUNKED", " chunked ", "\tchunked"}) {
    const auto d = decide({{"Transfer-Encoding", value}});
    ASSERT_TRUE(d.ok()) << value << ": " << d.refusal;
    EXPECT_EQ(d.framing, BodyFraming::kChunked) << value;
  }
}

// Issue 14, defect 1: every one of these was read as "no body" by Beast.
TEST(RequestFraming, TransferEncodingWhoseFinalCodingIsNotChunkedIsRefused) {
  for (auto value : {"identity", "gzip", "xchunked", "chunked, identity", "chunked , identity",
                     "gzip, chunked", "chunked, chunked", "chunked;q=1", "", ",", "chunked,",
                     ",chunked", "chunked\x0b", "chun ked"}) {
    EXPECT_FALSE(decide({{"Transfer-Encoding", value}}).ok()) << '"' << value << '"';
  }
  EXPECT_FALSE(decide({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}).ok());
  EXPECT_FALSE(decide({{"Transfer-Encoding", "identity"}, {"Transfer-Encoding", "chunked"}}).ok());
}

TEST(RequestFraming, TransferEncodingWithContentLengthIsRefusedInEitherOrder) {
  EXPECT_FALSE(decide({{"Transfer-Encoding", "chunked"}, {"Content-Length", "4"}}).ok());
  EXPECT_FALSE(decide({{"Content-Length", "4"}, {"Transfer-Encoding", "chunked"}}).ok());
  EXPECT_FALSE(decide({{"Transfer-Encoding", "identity"}, {"Content-Length", "4"}}).ok());
  EXPECT_FALSE(decide({{"Transfer-Encoding", "chunked"}, {"Content-Length", "x"}}).ok());
}

TEST(RequestFraming, TransferEncodingInHttp10IsRefused) {
  EXPECT_FALSE(decide({{"Transfer-Encoding", "chunked"}}, 10).ok());
}

TEST(RequestFraming, HostMustAppearOnceInHttp11) {
  FramingCheck none(11);
  EXPECT_FALSE(none.decision().ok());
  FramingCheck none10(10);
  EXPECT_TRUE(none10.decision().ok());
  EXPECT_FALSE(decide({{"host", "y"}}).ok());
}

TEST(RequestFraming, OnlyRegisteredUpperCaseMethodsAreKnown) {
  for (auto m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    EXPECT_TRUE(is_known_method(m)) << m;
  }
  for (auto m : {"get", "Get", "", "GETS", "BREW", "G ET"}) EXPECT_FALSE(is_known_method(m)) << m;
}

}  // namespace
}  // namespace yxgate::frontdoor
