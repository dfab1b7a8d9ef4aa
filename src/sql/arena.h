// Bump allocator for AST nodes. A parse allocates only from here; reset() keeps the blocks so a
// long-lived arena (one per session or worker) reaches a steady state with no heap traffic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tessera::sql {

class Arena {
 public:
  explicit Arena(size_t first_block = 16 * 1024) : first_block_(first_block) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    Block* b = head_;
    while (b) {
      Block* next = b->next;
      ::operator delete(b);
      b = next;
    }
  }

  void* allocate(size_t size, size_t align = alignof(std::max_align_t)) {
    uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + align - 1) & ~(uintptr_t(align) - 1);
    if (cur_ == nullptr || p + size > reinterpret_cast<uintptr_t>(end_)) return grow(size, align);
    cur_ = reinterpret_cast<char*>(p + size);
    return reinterpret_cast<void*>(p);
  }

  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    return new (allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Forget every object but keep the memory: the next parse reuses the same blocks.
  void reset() {
    active_ = head_;
    if (active_) {
      cur_ = active_->data();
      end_ = reinterpret_cast<char*>(active_) + active_->size;
    }
  }

  size_t bytes_reserved() const {
    size_t n = 0;
    for (Block* b = head_; b; b = b->next) n += b->size;
    return n;
  }

 private:
  struct Block {
    Block* next;
    size_t size;
    char* data() { return reinterpret_cast<char*>(this + 1); }
  };

  void* grow(size_t size, size_t align) {
    // Reuse a retained block after reset() before asking the heap for a new one.
    while (active_ && active_->next) {
      active_ = active_->next;
      cur_ = active_->data();
      end_ = reinterpret_cast<char*>(active_) + active_->size;
      uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + align - 1) & ~(uintptr_t(align) - 1);
      if (p + size <= reinterpret_cast<uintptr_t>(end_)) {
        cur_ = reinterpret_cast<char*>(p + size);
        return reinterpret_cast<void*>(p);
      }
    }
    size_t want = first_block_;
    if (head_) want = active_->size * 2;
    if (want < size + align + sizeof(Block)) want = size + align + sizeof(Block);
    Block* b = static_cast<Block*>(::operator new(want));
    b->next = nullptr;
    b->size = want;
    if (!head_) {
      head_ = b;
    } else {
      // Append after the last block so reset() walks them in order.
      Block* last = active_;
      while (last->next) last = last->next;
      last->next = b;
    }
    active_ = b;
    cur_ = b->data();
    end_ = reinterpret_cast<char*>(b) + want;
    return allocate(size, align);
  }

  size_t first_block_;
  Block* head_ = nullptr;
  Block* active_ = nullptr;
  char* cur_ = nullptr;
  char* end_ = nullptr;
};

// Growable array living in an Arena; growth abandons the old storage (cheap, bounded by 2x).
template <typename T>
class ArenaVec {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  void push(Arena& a, const T& v) {
    if (size_ == cap_) {
      uint32_t ncap = cap_ ? cap_ * 2 : 4;
      T* n = static_cast<T*>(a.allocate(sizeof(T) * ncap, alignof(T)));
      if (size_) std::memcpy(static_cast<void*>(n), data_, sizeof(T) * size_);
      data_ = n;
      cap_ = ncap;
    }
    data_[size_++] = v;
  }
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](uint32_t i) const { return data_[i]; }
  T& operator[](uint32_t i) { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T& back() const { return data_[size_ - 1]; }

 private:
  T* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
};

}  // namespace tessera::sql
