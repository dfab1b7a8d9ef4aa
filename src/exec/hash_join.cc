#include "exec/hash_join.h"

namespace tessera::exec {

namespace {

// As the other partitioning operators: 16^6 partitions; deeper is one key's own build rows.
constexpr unsigned kMaxSpillLevel = 6;

}  // namespace

HashJoin::HashJoin(HashJoinSpec spec, unsigned level)
    : spec_(std::move(spec)), level_(level), share_(spec_.budget) {}

HashJoin::~HashJoin() = default;

std::optional<std::string> HashJoin::key_of(const Row& row,
                                            const std::vector<size_t>& columns) const {
  std::string key;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] >= row.size()) return std::nullopt;
    auto cell = row.get(columns[i]);
    if (!cell) return std::nullopt;  // NULL = anything is unknown: never a match
    append_key(spec_.key_types[i], cell, key);
  }
  return key;
}

Status HashJoin::spill_build(const std::string& key, const Row& row) {
  std::string record;
  encode_row(row, record);
  ++spilled_rows_;
  return build_parts_->add(spill_partition(key, level_), record);
}

Status HashJoin::start_spilling() {
  if (level_ >= kMaxSpillLevel)
    return share_.budget()->out_of_memory("a hash join's rows of one join key");
  auto f = SpillFile::create(*share_.budget());
  if (!f) return f.error();
  file_ = std::move(*f);
  build_parts_ = std::make_unique<SpillPartitions>(*file_);
  probe_parts_ = std::make_unique<SpillPartitions>(*file_);
  // Every build row goes to its partition: the table is rebuilt per partition later.
  for (const auto& [key, index] : table_) {
    if (Status s = spill_build(key, build_[index]); !s) return s;
  }
  std::unordered_multimap<std::string, size_t>().swap(table_);
  std::vector<Row>().swap(build_);
  share_.release_all();
  return {};
}

Status HashJoin::add_build(Row row) {
  auto key = key_of(row, spec_.build_keys);
  if (!key) return {};  // matches no probe row, and the build side is not preserved
  if (build_parts_) return spill_build(*key, row);
  share_.charge(row.memory_bytes() + key->size() + 64);
  table_.emplace(std::move(*key), build_.size());
  build_.push_back(std::move(row));
  if (share_.over()) {
    if (!share_.can_spill()) return share_.budget()->out_of_memory("a hash join's build side");
    if (share_.should_spill()) return start_spilling();
  }
  return {};
}

Status HashJoin::finish_build() {
  build_finished_ = true;
  return {};
}

Row HashJoin::null_extended(const Row& probe) const {
  Row out;
  for (size_t c = 0; c < probe.size(); ++c) out.append_cell(probe.get(c));
  for (size_t c = 0; c < spec_.build_width; ++c) out.append_null();
  return out;
}

void HashJoin::join(const Row& probe, const std::string& key) {
  auto [from, to] = table_.equal_range(key);
  if (from == to) {
    if (spec_.probe_outer) out_.push_back(null_extended(probe));
    return;
  }
  for (auto it = from; it != to; ++it) {
    const Row& b = build_[it->second];
    Row out;
    for (size_t c = 0; c < probe.size(); ++c) out.append_cell(probe.get(c));
    for (size_t c = 0; c < b.size(); ++c) out.append_cell(b.get(c));
    out_.push_back(std::move(out));
  }
}

Status HashJoin::add_probe(const Row& row) {
  if (!build_finished_) return internal_error("hash join: a probe row before the build side ended");
  auto key = key_of(row, spec_.probe_keys);
  if (!key) {
    if (spec_.probe_outer) out_.push_back(null_extended(row));
    return {};
  }
  if (probe_parts_) {
    std::string record;
    encode_row(row, record);
    return probe_parts_->add(spill_partition(*key, level_), record);
  }
  join(row, *key);
  return {};
}

Status HashJoin::finish_probe() {
  if (probe_finished_) return {};
  probe_finished_ = true;
  if (!file_) return {};
  auto b = build_parts_->take();
  if (!b) return b.error();
  auto p = probe_parts_->take();
  if (!p) return p.error();
  build_streams_ = std::move(*b);
  probe_streams_ = std::move(*p);
  pairs_ = build_streams_.size();
  return {};
}

Result<bool> HashJoin::open_partition() {
  for (;;) {
    if (partition_ >= pairs_) return false;
    size_t i = partition_++;
    // No probe rows: nothing to join. No build rows: only an outer join's NULL-extended rows.
    if (probe_streams_[i].empty()) continue;
    if (build_streams_[i].empty() && !spec_.probe_outer) continue;
    HashJoinSpec sub = spec_;
    child_ = std::make_unique<HashJoin>(std::move(sub), level_ + 1);
    SpillReader build(*file_, std::move(build_streams_[i]));
    std::string_view record;
    for (;;) {
      auto more = build.next(record);
      if (!more) return more.error();
      if (!*more) break;
      auto row = decode_row(record);
      if (!row) return corrupt_spill();
      if (Status s = child_->add_build(std::move(*row)); !s) return s.error();
    }
    if (Status s = child_->finish_build(); !s) return s.error();
    probe_reader_ = SpillReader(*file_, std::move(probe_streams_[i]));
    child_probing_ = true;
    return true;
  }
}

bool HashJoin::next(Row& out) {
  for (;;) {
    if (!out_.empty()) {
      out = std::move(out_.front());
      out_.pop_front();
      return true;
    }
    if (error_ || !probe_finished_ || !file_) return false;
    if (child_) {
      if (child_->next(out)) return true;
      if (child_->error()) {
        error_ = child_->error();
        return false;
      }
      if (child_probing_) {
        std::string_view record;
        auto more = probe_reader_.next(record);
        if (!more) {
          error_ = more.error();
          return false;
        }
        Status s;
        if (*more) {
          auto row = decode_row(record);
          s = row ? child_->add_probe(*row) : Status(corrupt_spill());
        } else {
          child_probing_ = false;
          s = child_->finish_probe();
        }
        if (!s) {
          error_ = s.error();
          return false;
        }
        continue;
      }
      child_.reset();  // its rows and partitions are all out
    }
    auto opened = open_partition();
    if (!opened) {
      error_ = opened.error();
      return false;
    }
    if (!*opened) return false;
  }
}

}  // namespace tessera::exec
