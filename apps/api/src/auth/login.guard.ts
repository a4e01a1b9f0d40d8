import { Injectable, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CommonError, CommonErrorCode } from '@app/common';
import { IdentityError, IdentityErrorCode } from '@app/identity';
import { LoginInput } from '../identity/dto/login.input';
import { requestOf, type RequestWithUser } from './access.decorators';

/**
 * Runs the Passport local strategy for `login(input: { email, password })`.
 * Guards run before pipes, so the input is validated here, before any lookup.
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const input = plainToInstance(LoginInput, GqlExecutionContext.create(context).getArgs<{ input: unknown }>().input);
    const errors = await validate(input ?? {});
    if (errors.length > 0) {
      const messages = errors.flatMap((e) => Object.values(e.constraints ?? {}));
      throw new CommonError(CommonErrorCode.INVALID_INPUT, `Invalid input: ${messages.join('; ')}`, {
        validationErrors: messages,
      });
    }
    const req = this.getRequest(context);
    req.body = { email: input.email, password: input.password };
    return (await super.canActivate(context)) as boolean;
  }

  override getRequest(context: ExecutionContext): RequestWithUser {
    return requestOf(context);
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) throw new IdentityError(IdentityErrorCode.INVALID_CREDENTIALS, 'E-mail or password is wrong');
    return user;
  }
}
