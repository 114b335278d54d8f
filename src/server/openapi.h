// The OpenAPI 3 document of the HTTP API (openapi.json beside this file, compiled in).
#pragma once

#include <string_view>

namespace leadscore::server {

std::string_view OpenApiDocument();

}  // namespace leadscore::server
