#include "item.h"

#include <string.h>

const char *item_store_name(uint32_t store)
{
  switch(store) {
  case LETHE_STORE_FILE:
    return "file";
  case LETHE_STORE_IMAP:
    return "imap";
  case LETHE_STORE_GRAPH:
    return "graph";
  case LETHE_STORE_ARCHIVE:
    return "archive";
  default:
    return "?";
  }
}

bool item_store_parse(const char *name, uint32_t *out)
{
  static const uint32_t stores[] = { LETHE_STORE_FILE, LETHE_STORE_IMAP, LETHE_STORE_GRAPH,
                                     LETHE_STORE_ARCHIVE };
  for(size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
    if(!strcmp(item_store_name(stores[i]), name)) {
      *out = stores[i];
      return true;
    }
  }
  return false;
}

static const struct {
  enum item_kind kind;
  const char *name;
} kinds[] = {
  { ITEM_FILE, "file" },
  { ITEM_SYMLINK, "symlink" },
  { ITEM_MESSAGE, "message" },
  { ITEM_EVENT, "event" },
  { ITEM_CALENDAR, "calendar" },
  { ITEM_DRIVE_ITEM, "drive-item" },
  { ITEM_ARCHIVE_ENTRY, "archive-entry" },
  { ITEM_OTHER, "other" },
  { ITEM_DIRECTORY, "directory" },
};

const char *item_kind_name(enum item_kind kind)
{
  for(size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
    if(kinds[i].kind == kind)
      return kinds[i].name;
  return "other";
}

bool item_kind_parse(const char *name, enum item_kind *out)
{
  for(size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    if(!strcmp(kinds[i].name, name)) {
      *out = kinds[i].kind;
      return true;
    }
  }
  return false;
}
