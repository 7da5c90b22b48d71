#ifndef TD_BANNED_H
#define TD_BANNED_H

/*
 * Functions that make buffer overflows easy.  Including this header turns
 * every use into a compile error; use struct td_buf or snprintf instead.
 */
#define TD_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) TD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) TD_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) TD_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) TD_BANNED(strncat)
#undef sprintf
#define sprintf(...) TD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) TD_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) TD_BANNED(strtok)
#undef gets
#define gets(x) TD_BANNED(gets)

#endif
