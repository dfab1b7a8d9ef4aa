#include "mysqltest_extract.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace tessera::sql::testing {

namespace {

// mysqltest commands that may appear without the "--" prefix (mysqltest's own command table).
const std::set<std::string>& commands() {
  static const std::set<std::string> k = {"append_file",
                                          "cat_file",
                                          "change_user",
                                          "character_set",
                                          "chmod",
                                          "connect",
                                          "connection",
                                          "copy_file",
                                          "copy_files_wildcard",
                                          "dec",
                                          "delimiter",
                                          "die",
                                          "diff_files",
                                          "dirty_close",
                                          "disable_abort_on_error",
                                          "disable_connect_log",
                                          "disable_info",
                                          "disable_metadata",
                                          "disable_ps_protocol",
                                          "disable_query_log",
                                          "disable_reconnect",
                                          "disable_result_log",
                                          "disable_rpl_parse",
                                          "disable_session_track_info",
                                          "disable_warnings",
                                          "disconnect",
                                          "echo",
                                          "enable_abort_on_error",
                                          "enable_connect_log",
                                          "enable_info",
                                          "enable_metadata",
                                          "enable_ps_protocol",
                                          "enable_query_log",
                                          "enable_reconnect",
                                          "enable_result_log",
                                          "enable_rpl_parse",
                                          "enable_session_track_info",
                                          "enable_warnings",
                                          "end",
                                          "end_timer",
                                          "error",
                                          "eval",
                                          "exec",
                                          "exec_in_background",
                                          "execw",
                                          "exit",
                                          "file_exists",
                                          "horizontal_results",
                                          "if",
                                          "inc",
                                          "let",
                                          "list_files",
                                          "list_files_append_file",
                                          "list_files_write_file",
                                          "lowercase_result",
                                          "mkdir",
                                          "move_file",
                                          "output",
                                          "perl",
                                          "ping",
                                          "query",
                                          "query_get_value",
                                          "query_horizontal",
                                          "query_vertical",
                                          "real_sleep",
                                          "reap",
                                          "remove_file",
                                          "remove_files_wildcard",
                                          "replace_column",
                                          "replace_regex",
                                          "replace_result",
                                          "require",
                                          "reset_connection",
                                          "result",
                                          "result_format",
                                          "rmdir",
                                          "save_master_pos",
                                          "send",
                                          "send_eval",
                                          "send_quit",
                                          "send_shutdown",
                                          "server_start",
                                          "server_stop",
                                          "shutdown_server",
                                          "skip",
                                          "sleep",
                                          "sorted_result",
                                          "partially_sorted_result",
                                          "source",
                                          "start_timer",
                                          "sync_slave_with_master",
                                          "sync_with_master",
                                          "system",
                                          "vertical_results",
                                          "wait_for_slave_to_stop",
                                          "while",
                                          "write_file",
                                          "write_line",
                                          "disable_cursor_protocol",
                                          "enable_cursor_protocol",
                                          "disable_view_protocol",
                                          "enable_view_protocol",
                                          "disable_service_connection",
                                          "enable_service_connection",
                                          "disable_prepare_warnings",
                                          "enable_prepare_warnings",
                                          "disable_non_blocking_api",
                                          "enable_non_blocking_api",
                                          "single_query",
                                          "begin_concurrent",
                                          "end_concurrent",
                                          "optimizer_trace",
                                          "character_set",
                                          "disable_parsing",
                                          "enable_parsing",
                                          "evalp",
                                          "query_attributes",
                                          "send_eval"};
  return k;
}

std::string lower_word(const std::string& s) {
  std::string w;
  for (char c : s) {
    if (std::isalnum(uint8_t(c)) || c == '_') {
      w.push_back(char(std::tolower(uint8_t(c))));
    } else {
      break;
    }
  }
  return w;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool is_parse_error_code(const std::string& codes) {
  std::string u = codes;
  std::transform(u.begin(), u.end(), u.begin(), [](char c) { return char(std::toupper(c)); });
  return u.find("PARSE_ERROR") != std::string::npos || u.find("1064") != std::string::npos ||
         u.find("SYNTAX") != std::string::npos || u.find("1149") != std::string::npos ||
         u.find("ER_BAD_COMBINATION") != std::string::npos ||
         u.find("WRONG_USAGE") != std::string::npos;
}

// Finds the delimiter outside quotes; returns npos if absent.
size_t find_delimiter(const std::string& buf, const std::string& delim) {
  char quote = 0;
  for (size_t i = 0; i < buf.size(); ++i) {
    char c = buf[i];
    if (quote) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      continue;
    }
    if (buf.compare(i, delim.size(), delim) == 0) return i;
  }
  return std::string::npos;
}

}  // namespace

std::vector<ExtractedStatement> extract_statements(const std::string& text) {
  std::vector<ExtractedStatement> out;
  std::istringstream in(text);
  std::string line;
  std::string delim = ";";
  std::string buf;
  int line_no = 0;
  int start_line = 0;
  bool pending_parse_error = false;
  std::string block_end;          // inside perl/write_file: terminator line
  bool skipping_command = false;  // multi-line mysqltest command up to the delimiter
  int brace_skip = 0;
  (void)brace_skip;
  while (std::getline(in, line)) {
    ++line_no;
    if (!block_end.empty()) {
      if (trim(line) == block_end) block_end.clear();
      continue;
    }
    std::string rest = line;
    while (true) {
      if (skipping_command) {
        size_t d = find_delimiter(rest, delim);
        if (d == std::string::npos) break;
        skipping_command = false;
        rest = rest.substr(d + delim.size());
        continue;
      }
      if (buf.empty()) {
        std::string t = trim(rest);
        if (t.empty() || t[0] == '#') break;
        if (t.rfind("--", 0) == 0) {
          std::string cmd = trim(t.substr(2));
          std::string w = lower_word(cmd);
          if (w == "delimiter") {
            delim = trim(cmd.substr(9));
          } else if (w == "error") {
            pending_parse_error = is_parse_error_code(cmd);
          } else if (w == "perl" || w == "write_file" || w == "append_file") {
            std::string arg = trim(cmd.substr(w.size()));
            if (w != "perl") {
              // write_file <name> [terminator]
              std::istringstream a(arg);
              std::string name, term;
              a >> name >> term;
              block_end = term.empty() ? "EOF" : term;
            } else {
              block_end = arg.empty() ? "EOF" : arg;
            }
            if (!block_end.empty() && block_end.back() == ';') block_end.pop_back();
          }
          break;
        }
        if (t == "{" || t == "}" || t[0] == '}') break;
        std::string w = lower_word(t);
        if (!w.empty() && commands().count(w) && !(w == "end" && t.size() > 3 && false)) {
          // "end" is also SQL (END of compound statements) only inside a buffer, never first.
          if (w == "if" || w == "while") {
            // if (cond) {  -- the block body is processed line by line.
            break;
          }
          if (w == "delimiter") {
            std::string nd = trim(t.substr(9));
            if (nd.size() >= delim.size() &&
                nd.compare(nd.size() - delim.size(), delim.size(), delim) == 0 &&
                nd.size() > delim.size()) {
              nd = nd.substr(0, nd.size() - delim.size());
            }
            delim = trim(nd);
            break;
          }
          if (w == "error") {
            pending_parse_error = is_parse_error_code(t);
          }
          if (w == "perl" || w == "write_file" || w == "append_file") {
            std::istringstream a(t.substr(w.size()));
            std::string name, term;
            if (w == "perl") {
              a >> term;
            } else {
              a >> name >> term;
            }
            if (!term.empty() && term.back() == ';') term.pop_back();
            if (!name.empty() && name.back() == ';') term.clear();
            block_end = term.empty() ? "EOF" : term;
            break;
          }
          skipping_command = true;
          size_t d = find_delimiter(rest, delim);
          if (d == std::string::npos) break;
          skipping_command = false;
          rest = rest.substr(d + delim.size());
          continue;
        }
        start_line = line_no;
      }
      buf += rest;
      buf += '\n';
      size_t d = find_delimiter(buf, delim);
      if (d == std::string::npos) break;
      std::string stmt = trim(buf.substr(0, d));
      std::string after = buf.substr(d + delim.size());
      buf.clear();
      if (!stmt.empty()) {
        out.push_back({stmt, start_line, pending_parse_error});
      }
      pending_parse_error = false;
      rest = after;
      if (trim(rest).empty()) break;
    }
  }
  return out;
}

}  // namespace tessera::sql::testing
