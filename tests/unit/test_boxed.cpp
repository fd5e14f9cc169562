#include "model/boxed.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "model/event.h"

using namespace sockwarden;

// Boxed is std::optional on the heap: copies are deep, moves leave the source empty.
TEST(Boxed, BehavesAsAnOptional) {
  Boxed<std::string> b;
  EXPECT_FALSE(b);
  EXPECT_FALSE(b.has_value());
  EXPECT_EQ(b.value_or("none"), "none");
  EXPECT_THROW(b.value(), std::bad_optional_access);
  b = std::string("one");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "one");
  EXPECT_EQ(b->size(), 3u);

  Boxed<std::string> copy = b;
  *copy += "!";
  EXPECT_EQ(*b, "one");  // deep copy
  EXPECT_EQ(*copy, "one!");

  Boxed<std::string> moved = std::move(copy);
  EXPECT_EQ(*moved, "one!");

  moved.emplace(3, 'x');
  EXPECT_EQ(*moved, "xxx");
  moved = std::nullopt;
  EXPECT_FALSE(moved);
  b.reset();
  EXPECT_FALSE(b);
}

// An event's rare parts are boxed: a plain send stays small, and copying a request event copies
// its request.
TEST(Boxed, EventCopiesItsRequest) {
  static_assert(sizeof(Event) < 1024, "an Event's rare parts belong in Boxed<>");
  Event e;
  e.action = "request";
  e.request.emplace();
  e.request->operation = "container-create";
  Event copy = e;
  copy.request->operation = "container-start";
  EXPECT_EQ(e.request->operation, "container-create");
  EXPECT_EQ(copy.request->operation, "container-start");
}
