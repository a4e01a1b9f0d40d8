import { Args, ARGS_TYPE_METADATA, PARAM_ARGS_METADATA, type ArgsOptions } from '@nestjs/graphql';

/**
 * A field resolver's argument declared for the schema only: `@Args(name, options)`
 * as Nest defines it (the same argument, type, default and description in the
 * schema), without the parameter binding. Nest binds a field resolver that has no
 * parameter decorators as it is, called with GraphQL's own `(parent, args,
 * context, info)` (`canUseFastFieldResolver`); one `@Args` sends every call
 * through its per-call context, pipes and the global ValidationPipe: 3.5 % of a
 * large page's CPU for `EvidenceRequirement.evidence` (issue 14). Put it on the
 * method's second parameter, which receives GraphQL's arguments object (by schema
 * name, defaults applied, types checked by GraphQL). Only for scalar arguments:
 * an input object would no longer be validated by class-validator.
 */
export function SchemaArg(name: string, options: ArgsOptions & { type: NonNullable<ArgsOptions['type']> }): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) throw new Error('SchemaArg decorates a parameter of a resolver method');
    if (index !== 1) throw new Error(`SchemaArg(${name}) must decorate the second parameter (GraphQL's arguments), not parameter ${index}`);
    const owner = target.constructor;
    const params: unknown = Reflect.getMetadata(PARAM_ARGS_METADATA, owner, key);
    const argTypes: unknown = Reflect.getOwnMetadata(ARGS_TYPE_METADATA, owner, key);
    Args(name, options)(target, key, index);
    // Keep the schema declaration (stored by Args for the schema builder), undo the binding.
    if (params === undefined) Reflect.deleteMetadata(PARAM_ARGS_METADATA, owner, key);
    else Reflect.defineMetadata(PARAM_ARGS_METADATA, params, owner, key);
    if (argTypes === undefined) Reflect.deleteMetadata(ARGS_TYPE_METADATA, owner, key);
    else Reflect.defineMetadata(ARGS_TYPE_METADATA, argTypes, owner, key);
  };
}
