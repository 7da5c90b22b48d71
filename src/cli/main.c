#include <stdio.h>
int main(void) { puts("takedown " TD_VERSION); return 0; }
