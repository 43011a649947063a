// Placeholder until the CLI lands.
#include <cstdio>
int main() { std::puts("vhdchain"); return 0; }
