/* Table headers that name a person: "Name", "First name", "Surname",
 * "E-mail", "Delegate", "Participant", "Attendee", "Phone", "Mobile",
 * "Address", "Date of birth"... but not "Company name", "File name" or
 * "IP address". Shared by CSV files and spreadsheets. */
#ifndef LETHE_SCAN_COLUMNS_H
#define LETHE_SCAN_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

/* Does the header cell s[0..n) name a person? */
bool column_names_person(const char *s, size_t n);

/* A header row being collected: the cells that name a person, as the
 * redacted sample shows them ("Name, Email, +2"). */
struct columns {
  unsigned found;
  char list[56];
};

/* Look at one header cell; remember it if it names a person. */
void columns_add(struct columns *c, const char *s, size_t n);

#endif
