/*
 * web — `mamori serve`: the dashboard and the JSON API over a store
 * (docs/web.md).
 */
#ifndef MAMORI_WEB_WEB_H
#define MAMORI_WEB_WEB_H

/* argv[0] is "serve". Exit status 0 stopped by a signal, 1 the store or the
 * port could not be opened, 2 usage or configuration. */
int serve_cmd(int argc, char **argv);

#endif
