// RFC 9112 §3.2.2: absolute-form targets are read as their origin-form.
#include "frontdoor/request_target.hpp"

#include <gtest/gtest.h>

namespace yxgate::frontdoor {
namespace {

TEST(RequestTarget, AbsoluteFormIsReadAsItsPathAndQuery) {
  EXPECT_EQ(origin_form_of("http://api.example.com/im/v2/chatrooms/1/messages?limit=3"),
            "/im/v2/chatrooms/1/messages?limit=3");
  EXPECT_EQ(origin_form_of("HTTPS://api.example.com:443/im/v2/x"), "/im/v2/x");
  EXPECT_EQ(origin_form_of("http://api.example.com"), "/");
  EXPECT_EQ(origin_form_of("http://api.example.com?a=1"), "/?a=1");
  // The authority ends at the first '/' or '?': nothing in the path is taken for it.
  EXPECT_EQ(origin_form_of("http://h/im/v2/x?u=http://other/y"), "/im/v2/x?u=http://other/y");
}

TEST(RequestTarget, AnythingElseIsLeftAlone) {
  EXPECT_EQ(origin_form_of("/im/v2/x"), std::nullopt) << "origin-form";
  EXPECT_EQ(origin_form_of("*"), std::nullopt) << "asterisk-form";
  EXPECT_EQ(origin_form_of("api.example.com:443"), std::nullopt) << "authority-form";
  EXPECT_EQ(origin_form_of("ftp://h/im/v2/x"), std::nullopt) << "another scheme";
  EXPECT_EQ(origin_form_of("http:///im/v2/x"), std::nullopt) << "no host";
  EXPECT_EQ(origin_form_of("http://user@h/im/v2/x"), std::nullopt) << "userinfo";
  EXPECT_EQ(origin_form_of("xhttp://h/im/v2/x"), std::nullopt);
}

}  // namespace
}  // namespace yxgate::frontdoor
