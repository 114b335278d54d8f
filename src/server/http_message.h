// HttpRequest and HttpResponse: what a route reads and writes, independent of the transport
// (server/http_session.h reads and writes them on the wire).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadscore::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  // The path as sent: routes match it, so that %2F in an id is not a separator.
  std::string raw_path;
  std::vector<std::pair<std::string, std::string>> params;   // the query, decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  // The route pattern's groups: [0] the whole path, [1] the first group, ...
  std::vector<std::string> matches;

  // The first value of a header (names compare without case), or "".
  std::string header(std::string_view name) const;
  // The first value of a query parameter, if present.
  std::optional<std::string> param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  void set_content(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
  }
};

// %XX escapes decoded (and '+' as a space when `plus_is_space`, as in a query); a malformed
// escape is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// A target in absolute form ("http://host:8080/path?q", RFC 9112, 3.2.2), which a server must
// take as a proxy would send it, as its origin form ("/path?q"); the host it names is not
// read (a server answers under every name it is reached by). nullopt for any other target.
std::optional<std::string> OriginForm(std::string_view target);

// Splits a request target ("/path?a=1&b", or its absolute form) into the decoded path and
// query parameters.
void ParseTarget(std::string_view target, HttpRequest& req);

}  // namespace leadscore::server
