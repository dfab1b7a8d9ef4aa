// Statement kinds shared by the cheap classifier and the parser.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::sql {

enum class StatementKind : uint8_t {
  Empty,
  Select,
  Insert,
  Replace,
  Update,
  Delete,
  LoadData,
  Set,
  Use,
  Begin,
  Commit,
  Rollback,
  Savepoint,
  Xa,
  LockTables,
  UnlockTables,
  Show,
  Explain,
  Describe,
  CreateTable,
  AlterTable,
  DropTable,
  TruncateTable,
  RenameTable,
  CreateIndex,
  DropIndex,
  CreateDatabase,
  DropDatabase,
  CreateView,
  DropView,
  OtherDdl,
  Prepare,
  Execute,
  Deallocate,
  Call,
  Do,
  Kill,
  Other,
  Count_
};

std::string_view to_string(StatementKind kind);

}  // namespace tessera::sql
