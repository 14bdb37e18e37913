// The one translation unit that compiles Boost.Asio, Beast and Asio's SSL
// (BOOST_*_SEPARATE_COMPILATION): every other file only includes headers.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
