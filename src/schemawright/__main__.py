from schemawright.cli import main

main()
