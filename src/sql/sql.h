// Umbrella header for the SQL front end (see README.md in this folder).
#pragma once

#include "sql/classify.h"     // classify(): statement kind + routing flags, no AST, no heap
#include "sql/fingerprint.h"  // fingerprint(): normalised text + XXH3 digest from tokens
#include "sql/parser.h"       // Parser::parse(): arena AST, errors with line/column
#include "sql/writer.h"       // to_sql() / rewrite(): printing and table/value substitution
