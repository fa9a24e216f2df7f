/* Which header cells name a person. */
#include "columns.h"

#include <stdio.h>
#include <string.h>

#define WORDS_MAX 6
#define WORD_MAX 24

/* Words that on their own make a column personal. */
static const char *const person_words[] = {
  "name", "names", "forename", "forenames", "surname", "surnames", "firstname",
  "lastname", "fullname", "givenname", "familyname", "middlename", "email", "emails",
  "delegate", "delegates", "participant", "participants", "attendee", "attendees",
  "phone", "telephone", "tel", "mobile", "cellphone", "address", "postcode",
  "dob", "birthday", "birthdate", "nino", "student", "employee", "customer",
  "patient", "contact", "person",
};

/* Words before "name" or "address" that make it not about a person. */
static const char *const not_person[] = {
  "company", "product", "file", "project", "item", "organisation", "organization",
  "business", "account", "host", "server", "domain", "city", "country", "street",
  "team", "course", "event", "venue", "brand", "category", "group", "module",
  "department", "site", "field", "column", "sheet", "table", "tag", "ip", "mac", "web",
  "url", "billing", "registered", "office", "user", "display", "trading", "legal",
  "bank", "branch", "school", "university", "institution", "supplier", "vendor",
};

static bool in(const char *w, const char *const *list, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++)
    if(!strcmp(w, list[i]))
      return true;
  return false;
}

#define IN(w, list) in(w, list, sizeof(list) / sizeof(list[0]))

/* Lower-case ASCII words of s; "e-mail" and "e_mail" become "email". */
static size_t words(const char *s, size_t n, char w[WORDS_MAX][WORD_MAX])
{
  size_t i, k = 0, len = 0;
  for(i = 0; i <= n && k < WORDS_MAX; i++) {
    int c = i < n ? (unsigned char)s[i] : ' ';
    bool joiner = (c == '-' || c == '_' || c == '.') && len == 1 && w[k][0] == 'e';
    if((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if(len + 1 < WORD_MAX)
        w[k][len++] = (char)(c | ((c >= 'A' && c <= 'Z') ? 0x20 : 0));
      continue;
    }
    if(joiner)
      continue;
    if(len) {
      w[k++][len] = '\0';
      len = 0;
    }
  }
  return k;
}

bool column_names_person(const char *s, size_t n)
{
  char w[WORDS_MAX][WORD_MAX];
  size_t k = words(s, n, w), i;
  for(i = 0; i < k; i++) {
    bool qualified = i > 0 && IN(w[i - 1], not_person);
    if(!IN(w[i], person_words))
      continue;
    if((!strcmp(w[i], "name") || !strcmp(w[i], "address") || !strcmp(w[i], "names")) && qualified)
      continue;
    return true;
  }
  /* "Date of birth", "Birth date" */
  for(i = 0; i + 1 < k; i++)
    if((!strcmp(w[i], "birth") && !strcmp(w[i + 1], "date")) ||
       (i + 2 < k && !strcmp(w[i], "date") && !strcmp(w[i + 1], "of") &&
        !strcmp(w[i + 2], "birth")))
      return true;
  return false;
}

void columns_add(struct columns *c, const char *s, size_t n)
{
  size_t len = strlen(c->list);
  while(n && (*s == ' ' || *s == '"'))
    s++, n--;
  while(n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r'))
    n--;
  if(!column_names_person(s, n))
    return;
  if(c->found++ < 3 && len + n + 3 < sizeof(c->list))
    snprintf(c->list + len, sizeof(c->list) - len, "%s%.*s", len ? ", " : "", (int)n, s);
  else if(c->found == 4 && len + 6 < sizeof(c->list))
    snprintf(c->list + len, sizeof(c->list) - len, ", ...");
}
