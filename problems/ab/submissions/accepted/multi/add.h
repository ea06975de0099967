/* add.h - the one helper of the multi-file A+B submission. */
#ifndef AB_ADD_H
#define AB_ADD_H

/* Returns a + b. */
long long add(long long a, long long b);

#endif
