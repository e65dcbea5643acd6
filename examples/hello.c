/* A small C program for the examples: greets its arguments and sums the numbers among them. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long sum = 0;
    int numbers = 0;
    printf("hello from %s\n", argc > 0 ? argv[0] : "?");
    for (int i = 1; i < argc; i++) {
        char *end;
        long v = strtol(argv[i], &end, 10);
        if (*argv[i] && !*end) {
            sum += v;
            numbers++;
        } else {
            printf("hello, %s\n", argv[i]);
        }
    }
    if (numbers) printf("sum of %d numbers: %ld\n", numbers, sum);
    return numbers ? 0 : 3;
}
