#include "store/sql.h"

#include <fmt/format.h>

#include <charconv>

#include "store/postgres_connection.h"
#include "store/sqlite_connection.h"

namespace leadscore::store {

int64_t SqlRow::Int(size_t i) const {
  const SqlValue& v = values[i];
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double SqlRow::Double(size_t i) const {
  const SqlValue& v = values[i];
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::string SqlRow::Text(size_t i) const {
  const SqlValue& v = values[i];
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  return {};
}

std::optional<std::string> SqlRow::OptionalText(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return Text(i);
}

bool IsPostgresUrl(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

Result<std::vector<SqlRow>> SqlConnection::Query(std::string_view sql,
                                                 std::span<const SqlValue> params) {
  std::vector<SqlRow> rows;
  LS_RETURN_IF_ERROR(QueryEach(sql, params, [&](std::span<const SqlValue> cells) {
    SqlRow& row = rows.emplace_back();
    row.values.reserve(cells.size());
    for (const SqlValue& cell : cells) {
      if (const auto* text = std::get_if<std::string_view>(&cell)) {
        row.values.emplace_back(std::string(*text));
      } else {
        row.values.push_back(cell);
      }
    }
  }));
  return rows;
}

Result<std::unique_ptr<SqlConnection>> OpenConnection(const std::string& target,
                                                      ConnectionOptions options) {
  if (IsPostgresUrl(target)) return OpenPostgres(target);
  return OpenSqlite(target, options);
}

}  // namespace leadscore::store
